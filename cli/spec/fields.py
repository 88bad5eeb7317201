"""Value types of the spec, each with a message a sysadmin can act on."""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from typing import Annotated, Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import load_ssh_public_key
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field
from pydantic import BaseModel as _PydanticModel

from civicloud.spec.countries import ISO_3166_ALPHA2


class Model(_PydanticModel):
    """Unknown keys are errors; types are strict (no "4" for 4, no 1 for true)."""

    model_config = ConfigDict(extra="forbid", strict=True)


def _matching(pattern: str, expected: str) -> AfterValidator:
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise ValueError(f"expected {expected}, got {value!r}")
        return value

    return AfterValidator(check)


Name = Annotated[str, _matching(
    r"[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?",
    "a DNS-safe name (lowercase letters, digits and '-', starting with a letter, "
    "at most 63 characters)",
)]
BucketName = Annotated[str, _matching(
    r"[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])",
    "an S3 bucket name (3 to 63 lowercase letters, digits and '-')",
)]
Slug = Annotated[str, _matching(
    r"[a-z0-9][a-z0-9_.-]*", "a lowercase identifier such as 'secnumcloud' or 'data_volume'"
)]
RuleId = Annotated[str, _matching(
    r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+", "a rule ID such as CIVIC-LOC-1"
)]
Email = Annotated[str, _matching(r"[^@\s]+@[^@\s]+\.[^@\s]+", "an e-mail address")]
KeyRef = Annotated[str, _matching(
    r"(?:env|file|vault|sops|pass):\S+",
    "a reference to where the key lives (env:NAME, file:PATH, vault:PATH, sops:PATH or "
    "pass:NAME), never the key itself",
)]
Text = Annotated[str, Field(min_length=1)]
Count = Annotated[int, Field(ge=0)]
PositiveInt = Annotated[int, Field(gt=0)]
Port = Annotated[int, Field(ge=1, le=65535)]
Money = Annotated[float, Field(ge=0)]
# Dates are written as YAML text (2026-12-31): parse them even though the model is strict.
Date = Annotated[date, Field(strict=False)]


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _siren_text(value: Any) -> Any:
    # An unquoted SIREN is read as a number (and loses leading zeros): give them back.
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**9:
        return str(value).zfill(9)
    return value


def _check_siren(value: str) -> str:
    compact = value.replace(" ", "")
    if not re.fullmatch(r"\d{9}", compact):
        raise ValueError(f"expected a SIREN of 9 digits, got {value!r}")
    # La Poste's SIREN is the one documented exception to the Luhn key.
    if compact != "356000000" and not _luhn_ok(compact):
        raise ValueError(f"{value!r} is not a valid SIREN (its check digit is wrong: typo?)")
    return compact


Siren = Annotated[str, BeforeValidator(_siren_text), AfterValidator(_check_siren)]


def _check_country(value: str) -> str:
    if value.upper() in ISO_3166_ALPHA2 and value != value.upper():
        raise ValueError(f"expected a country code in capitals, got {value!r} "
                         f"(write {value.upper()})")
    if value not in ISO_3166_ALPHA2:
        raise ValueError("expected an ISO 3166 alpha-2 country code such as FR or DE, "
                         f"got {value!r}")
    return value


def _check_jurisdiction(value: str) -> str:
    return value if value == "EU" else _check_country(value)


Country = Annotated[str, AfterValidator(_check_country)]
Jurisdiction = Annotated[str, AfterValidator(_check_jurisdiction)]


def _check_cidr(value: str) -> str:
    if "/" in value:
        try:
            return str(ipaddress.ip_network(value))
        except ValueError:
            pass
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            network = None
        if network is not None:
            raise ValueError(f"{value!r} has host bits set: did you mean {network}?")
    raise ValueError(f"expected a network in CIDR notation such as 10.20.0.0/24, got {value!r}")


def _check_ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise ValueError(f"expected an IP address such as 10.20.0.1, got {value!r}") from None


Cidr = Annotated[str, AfterValidator(_check_cidr)]
IpAddress = Annotated[str, AfterValidator(_check_ip)]

_PUBLIC_KEY = re.compile(
    r"(?:ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\.com"
    r"|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+=*(?: .*)?"
)


def _check_public_key(value: str) -> str:
    if "PRIVATE KEY" in value:
        raise ValueError("this is a private key: give the public key (the .pub file), "
                         "never the private one")
    if not _PUBLIC_KEY.fullmatch(value.strip()):
        raise ValueError(f"expected an OpenSSH public key ('ssh-ed25519 AAAA... comment'), "
                         f"got {value[:30]!r}")
    kind, blob = value.split()[:2]
    if not kind.startswith("sk-"):  # cryptography does not read security-key types
        try:
            load_ssh_public_key(f"{kind} {blob}".encode())
        except (ValueError, UnsupportedAlgorithm):
            # Nova would refuse it halfway through an apply: say so here, with the line.
            raise ValueError(f"the key data of this {kind} public key is not valid (truncated "
                             "or altered?): paste the whole line of the .pub file") from None
    return value.strip()


PublicKey = Annotated[str, AfterValidator(_check_public_key)]
