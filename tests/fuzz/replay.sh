#!/bin/bash
# Replays one fuzz target over its corpus directory: every file once.
# A target with no corpus fails: each target ships seeds.
set -eu
target=$1
corpus=$2
if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
	echo "no corpus at $corpus" >&2
	exit 1
fi
# libFuzzer runs each file given as an argument once; the replay driver too.
find "$corpus" -type f -print0 | xargs -0 -n 200 "$target"
