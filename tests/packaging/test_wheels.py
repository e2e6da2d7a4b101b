"""Every dependency shipped to Lambda has a binary wheel for the template's architecture and runtime.

`sam build` (no container) installs the layer's and each function's requirements.txt with
`pip download --only-binary=:all:` for the target platform: a dependency without such a wheel (css-inline
0.24.0 on arm64 was one) breaks the deployment. This test asks pip the same question, dependencies included,
so a new requirement that cannot be built fails here first.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from local.template import ROOT, load

# What aws-lambda-builders accepts for the python3.12 runtime (Amazon Linux 2023, glibc 2.34).
PLATFORMS = {
    "x86_64": ["manylinux2014_x86_64", "manylinux_2_28_x86_64", "manylinux_2_34_x86_64"],
    "arm64": ["manylinux2014_aarch64", "manylinux_2_28_aarch64", "manylinux_2_34_aarch64"],
}


def _target() -> tuple[str, str]:
    """(architecture, python version) of every function and the layer: they must agree."""
    raw = load().raw
    fn_globals = raw["Globals"]["Function"]
    (architecture,) = fn_globals["Architectures"]
    runtime = fn_globals["Runtime"]
    for logical, res in raw["Resources"].items():
        props = res.get("Properties") or {}
        if res["Type"] == "AWS::Serverless::Function":
            assert props.get("Architectures", [architecture]) == [architecture], logical
            assert props.get("Runtime", runtime) == runtime, logical
        if res["Type"] == "AWS::Serverless::LayerVersion":
            assert props["CompatibleArchitectures"] == [architecture], logical
            assert res["Metadata"]["BuildArchitecture"] == architecture, logical
            assert res["Metadata"]["BuildMethod"] == runtime, logical
    return architecture, runtime.removeprefix("python")


def _requirement_files() -> list[Path]:
    files = [ROOT / "layers" / "revenir" / "requirements.txt"]
    files += sorted((ROOT / "functions").glob("*/requirements.txt"))
    return [f for f in files if f.exists()]


def test_layer_and_functions_target_one_architecture() -> None:
    architecture, version = _target()
    assert architecture in PLATFORMS
    assert version == "3.12"


@pytest.mark.parametrize("requirements", _requirement_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_dependency_has_a_wheel_for_the_target(requirements: Path, tmp_path: Path) -> None:
    architecture, version = _target()
    platforms = [arg for p in PLATFORMS[architecture] for arg in ("--platform", p)]
    result = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
         "--only-binary=:all:", *platforms, "--python-version", version, "--implementation", "cp",
         "--dest", str(tmp_path), "-r", str(requirements)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, (
        f"{requirements.relative_to(ROOT)}: a dependency has no {architecture} wheel for Python {version} "
        f"(sam build would fail):\n{result.stderr[-2000:]}"
    )
    wheels = {p.name.split("-")[0].lower() for p in tmp_path.glob("*.whl")}
    assert "pydantic_core" in wheels or requirements.parent.name != "revenir"  # native code really resolved


def test_the_check_catches_a_missing_wheel(tmp_path: Path) -> None:
    """The same command refuses css-inline 0.24.0 on arm64 (no manylinux aarch64 wheel): the test can fail."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("css-inline==0.24.0\n", encoding="utf-8")
    platforms = [arg for p in PLATFORMS["arm64"] for arg in ("--platform", p)]
    result = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--only-binary=:all:",
         *platforms, "--python-version", "3.12", "--implementation", "cp", "--no-deps",
         "--dest", str(tmp_path / "out"), "-r", str(requirements)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode != 0
