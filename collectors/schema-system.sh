#!/bin/sh
# Validates the user-data and vendor-data this instance actually received, with the
# schema of the cloud-init under test.
cloud-init schema --system
