#!/bin/sh
# cloud-init's own boot events with timestamps: the raw material for boot-time trends.
cloud-init analyze dump
