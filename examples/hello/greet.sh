#!/bin/sh
echo "$GREETING, $1 (running as uid $(id -u) in $(pwd), pid $$, host $(hostname))"
