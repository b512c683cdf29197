#!/bin/sh
# Units that failed during boot; an image should boot with none.
systemctl --failed --no-legend --plain
