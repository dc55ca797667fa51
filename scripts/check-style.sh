#!/bin/sh
# Style checks that a compiler does not make: line width and banned calls.
# Lines may pass 80 columns only for a URL in a comment.
set -eu
cd "$(dirname "$0")/.."
status=0

files=$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'demo/*.c' 'bench/*.c' \
	2>/dev/null || find src tests demo bench -name '*.[ch]')

# Tabs count as 8 columns.
wide=$(for f in $files; do
	expand "$f" | awk -v f="$f" 'length($0) > 80 && $0 !~ /https?:\/\// {
		printf "%s:%d: line is %d columns\n", f, NR, length($0) }'
done)
if [ -n "$wide" ]; then
	echo "$wide"
	status=1
fi

banned=$(grep -nE '\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|gets)\s*\(' \
	$files | grep -vE '(snprintf|vsnprintf)\s*\(' || true)
if [ -n "$banned" ]; then
	echo "$banned"
	echo "banned call: use the bounded alternatives" >&2
	status=1
fi

loose=$(grep -nE '\b(FIXME|XXX)\b|TODO[^(]' $files || true)
if [ -n "$loose" ]; then
	echo "$loose"
	echo "mark shortcomings as TODO(topic): one line" >&2
	status=1
fi

[ $status -eq 0 ] && echo "style: $(echo $files | wc -w) files clean"
exit $status
