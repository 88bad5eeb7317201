"""Pulumi's ResourceMonitor and Engine gRPC services, answered by a Deployment.

The SDK (running the unchanged program) is the client. Every request is translated to a
`Registration` here; any resource option the embedded engine does not implement is refused by
name rather than silently ignored.
"""

from __future__ import annotations

from typing import Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc, resource_pb2, resource_pb2_grpc

from civicloud.engine.embedded.deployment import Deployment, Registration, StepSkipped
from civicloud.engine.errors import EngineError, InvalidProgram, UnsupportedResourceOption
from civicloud.engine.values import from_struct, redact, to_struct

_SECRETS_FEATURE = "secrets"


def _has(req: Any, field: str) -> bool:
    """True if the request sets `field` (a field this SDK version may not even have)."""
    value = getattr(req, field, None)
    if value is None:
        return False
    if hasattr(value, "ListFields"):  # a sub-message: set if any of its fields is
        return bool(value.ListFields())
    return bool(value)


# Resource option (as the program's author writes it) -> request fields that carry it.
_UNSUPPORTED: dict[str, tuple[str, ...]] = {
    "protect": ("protect",),
    "ignore_changes": ("ignoreChanges",),
    "replace_on_changes": ("replaceOnChanges",),
    "retain_on_delete": ("retainOnDelete",),
    "deleted_with": ("deletedWith",),
    "aliases": ("aliases", "aliasURNs"),
    "custom_timeouts": ("customTimeouts",),
    "import_": ("importId",),
    "provider/providers": ("provider", "providers"),
    "transforms": ("transforms",),
    "hooks": ("hooks",),
    "replace_with": ("replace_with",),
    "replacement_trigger": ("replacement_trigger",),
    "hide_diffs": ("hideDiffs",),
    "remote components": ("remote",),
}


def unsupported_options(req: Any) -> list[str]:
    return [option for option, fields in _UNSUPPORTED.items() if any(_has(req, f) for f in fields)]


def registration(req: resource_pb2.RegisterResourceRequest) -> Registration:
    refused = unsupported_options(req)
    if refused:
        raise UnsupportedResourceOption(
            f"{req.type} '{req.name}': resource option(s) {', '.join(refused)} are not "
            "supported by the embedded engine; remove them or run with --engine pulumi"
        )
    inputs = from_struct(req.object)
    inputs.pop("__provider", None)  # the pickled provider: never executed, never stored
    prop_deps = {k: list(v.urns) for k, v in req.propertyDependencies.items() if v.urns}
    return Registration(
        type=req.type,
        name=req.name,
        custom=req.custom,
        parent=req.parent or None,
        inputs=inputs,
        dependencies=list(dict.fromkeys(req.dependencies)),
        property_dependencies=prop_deps,
        delete_before_replace=req.deleteBeforeReplace,
        additional_secret_outputs=list(req.additionalSecretOutputs),
    )


def _refuse(context: grpc.ServicerContext, message: str) -> None:
    context.abort(grpc.StatusCode.FAILED_PRECONDITION, message)


class Monitor(resource_pb2_grpc.ResourceMonitorServicer):
    def __init__(self, deployment: Deployment, config: dict[str, str], parallel: int) -> None:
        self._d = deployment
        self._config = config
        self._parallel = parallel

    def SupportsFeature(self, request, context):
        return resource_pb2.SupportsFeatureResponse(hasSupport=request.id == _SECRETS_FEATURE)

    def GetDeploymentInfo(self, request, context):
        return resource_pb2.DeploymentInfo(
            project=self._d.stack.project, stack=self._d.stack.name, dryRun=self._d.preview,
            parallel=self._parallel, config=self._config,
            configSecretKeys=sorted(self._d.stack.secret_config),
            supportedFeatures=[resource_pb2.RESOURCE_MONITOR_FEATURE_SECRETS],
        )

    def RegisterResource(self, request, context):
        inputs: dict = {}
        try:
            reg = registration(request)
            inputs = reg.inputs
            urn, id_, outputs = self._d.register(reg)
        except StepSkipped as exc:
            _refuse(context, str(exc))
        except EngineError as exc:
            message = redact(str(exc), inputs)
            self._d.progress.note_error(message, invalid=isinstance(exc, InvalidProgram))
            _refuse(context, message)
        except Exception as exc:  # a provider's check/diff raising: report, don't crash the server
            message = redact(f"{request.type} '{request.name}': {exc}", inputs)
            self._d.progress.note_error(message)
            _refuse(context, message)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=to_struct(outputs))

    def RegisterResourceOutputs(self, request, context):
        self._d.register_outputs(request.urn, from_struct(request.outputs))
        return empty_pb2.Empty()

    def ReadResource(self, request, context):
        _refuse(context, f"{request.type} '{request.name}': reading an existing resource "
                         "(.get()) is not supported by the embedded engine")

    def Invoke(self, request, context):
        _refuse(context,
                f"function {request.tok}: invokes are not supported by the embedded engine")

    def Call(self, request, context):
        _refuse(context, f"method {request.tok}: calls are not supported by the embedded engine")

    def RegisterPackage(self, request, context):
        _refuse(context, f"package {request.name}: parameterized providers are not supported "
                         "by the embedded engine")

    def SignalAndWaitForShutdown(self, request, context):
        return empty_pb2.Empty()


class EngineLog(engine_pb2_grpc.EngineServicer):
    """The SDK's log channel: errors are kept for the result, everything is forwarded."""

    def __init__(self, deployment: Deployment) -> None:
        self._d = deployment
        self._root = ""

    def Log(self, request, context):
        if request.severity == engine_pb2.ERROR:
            self._d.progress.note_program_error(request.message)
        if request.severity != engine_pb2.DEBUG:  # the SDK's own tracing is noise to a sysadmin
            self._d.progress.emit("log", request.message.strip())
        return empty_pb2.Empty()

    def GetRootResource(self, request, context):
        return engine_pb2.GetRootResourceResponse(urn=self._root)

    def SetRootResource(self, request, context):
        self._root = request.urn
        return engine_pb2.SetRootResourceResponse()
