"""rego-cpp leaks on every evaluation when protobuf's upb extension was loaded before it (found by
bench/validate_bench.py: 370 MB instead of 150 MB for 1,000 tenants): the CLI loads it first."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import civicloud.main
names = list(sys.modules)
print(names.index("regopy") < names.index("google._upb._message"))
"""


def test_the_cli_loads_rego_cpp_before_protobuf():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "True"
