#!/bin/sh
# The version that actually ran, as the package manager and cloud-init itself report it.
dpkg-query -W -f '${Version}\n' cloud-init 2>/dev/null || rpm -q --qf '%{VERSION}-%{RELEASE}\n' cloud-init
cloud-init --version 2>&1
