#!/bin/sh
# The whole journal of this boot, for cases that assert on units or services.
journalctl -b --no-pager -o short-monotonic
