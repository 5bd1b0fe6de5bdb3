# The az extension `nexus-mde`: `az nexus-mde …` runs the nexus-mde binary and hands its JSON to az,
# so az's -o table|tsv|yaml|json and --query work. No dependencies (az installs it offline).
#   /usr/bin/python3 setup.py -q bdist_wheel -d dist   ->  nexus_mde-<version>-py3-none-any.whl
#   az extension add --source dist/nexus_mde-<version>-py3-none-any.whl --yes
import os
import re

from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))


def project_version():
    # One version for the whole product: the top-level CMakeLists.txt (NEXUS_MDE_AZ_VERSION overrides).
    if os.environ.get("NEXUS_MDE_AZ_VERSION"):
        return os.environ["NEXUS_MDE_AZ_VERSION"]
    with open(os.path.join(HERE, "..", "..", "CMakeLists.txt"), encoding="utf-8") as cmake:
        return re.search(r"project\(nexus-mde VERSION ([0-9.]+)", cmake.read()).group(1)


setup(
    name="nexus-mde",
    version=project_version(),
    description="az nexus-mde: Microsoft Defender for Endpoint state across an Azure Operator Nexus cluster",
    license="MIT",
    packages=["azext_nexus_mde"],
    package_data={"azext_nexus_mde": ["azext_metadata.json"]},
    install_requires=[],
    python_requires=">=3.8",
)
