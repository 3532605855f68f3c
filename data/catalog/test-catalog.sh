#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every MESSAGE_ID of src/shared/message-ids.h has exactly one entry in
# data/catalog/pik.catalog and the other way round; each id's two macros
# (sd_id128_t and _STR) agree; each entry has Subject:, Defined-By: pik and
# Support:. Where journalctl exists, the catalog also compiles into a
# catalog database of a scratch root, and lists every id.
#
# Usage: test-catalog.sh MESSAGE_IDS_H PIK_CATALOG
set -u
header=${1:?usage: test-catalog.sh MESSAGE_IDS_H PIK_CATALOG}
catalog=${2:?usage: test-catalog.sh MESSAGE_IDS_H PIK_CATALOG}
fail=0
err() {
        echo "FAIL: $*" >&2
        fail=1
}

# "#define PIK_MESSAGE_X[_STR] SD_ID128_MAKE[_STR](15,a2,...)" → "X[_STR] 15a2..."
ids_of() {
        sed -n "s/^#define PIK_MESSAGE_\([A-Z_]*\) *SD_ID128_MAKE$1(\([0-9a-f,]*\)).*/\1 \2/p" "$header" |
                tr -d ','
}
bin=$(ids_of "")
str=$(ids_of "_STR" | sed 's/_STR / /')
if [ -z "$bin" ]; then
        err "no PIK_MESSAGE_* ids found in $header"
fi
if [ "$bin" != "$str" ]; then
        err "the sd_id128_t and _STR macros differ:"
        diff <(echo "$bin") <(echo "$str") >&2
fi
while read -r name id; do
        if [ "${#id}" -ne 32 ]; then
                err "PIK_MESSAGE_$name: '$id' is not 32 hex digits"
        fi
done <<<"$bin"
n_defines=$(grep -c '^#define PIK_MESSAGE_' "$header")
if [ "$n_defines" -ne $(( 2 * $(wc -l <<<"$bin") )) ]; then
        err "$header has $n_defines PIK_MESSAGE_ defines, not two parsable ones per id"
fi

h_ids=$(awk '{print $2}' <<<"$bin" | sort)
c_ids=$(sed -n 's/^-- \([0-9a-f]\{32\}\)$/\1/p' "$catalog" | sort)
if [ -n "$(uniq -d <<<"$h_ids")" ]; then
        err "ids defined twice in $header: $(uniq -d <<<"$h_ids" | tr '\n' ' ')"
fi
if [ -n "$(uniq -d <<<"$c_ids")" ]; then
        err "ids with more than one entry in $catalog: $(uniq -d <<<"$c_ids" | tr '\n' ' ')"
fi
missing=$(comm -23 <(uniq <<<"$h_ids") <(uniq <<<"$c_ids"))
extra=$(comm -13 <(uniq <<<"$h_ids") <(uniq <<<"$c_ids"))
if [ -n "$missing" ]; then
        err "no catalog entry for: $(grep -F "$missing" <<<"$bin" | tr '\n' ' ')"
fi
if [ -n "$extra" ]; then
        err "catalog entries for no id of $header: $(tr '\n' ' ' <<<"$extra")"
fi
if grep -n '^--' "$catalog" | grep -Ev '^[0-9]+:-- [0-9a-f]{32}$' >&2; then
        err "malformed entry header lines (above)"
fi

# Each entry's header block: Subject:, Defined-By: pik, Support:.
awk '
        /^-- [0-9a-f]{32}$/ { if (id != "") check(); id = $2; subj = def = sup = 0; hdr = 1; next }
        hdr && /^$/ { hdr = 0; next }
        hdr && /^Subject: ./ { subj = 1 }
        hdr && /^Defined-By: pik$/ { def = 1 }
        hdr && /^Support: ./ { sup = 1 }
        function check() {
                if (!subj || !def || !sup) { print "FAIL: entry " id " lacks Subject:, Defined-By: pik or Support:"; bad = 1 }
        }
        END { if (id != "") check(); exit bad }
' "$catalog" >&2 || fail=1

if command -v journalctl >/dev/null; then
        root=$(mktemp -d)
        trap 'rm -rf "$root"' EXIT
        mkdir -p "$root/usr/lib/systemd/catalog" "$root/var/lib/systemd/catalog"
        cp "$catalog" "$root/usr/lib/systemd/catalog/pik.catalog"
        if ! journalctl --root="$root" --update-catalog; then
                err "journalctl --update-catalog rejects $catalog"
        else
                listed=$(journalctl --root="$root" --list-catalog 2>/dev/null)
                for id in $h_ids; do
                        if ! grep -q "^$id " <<<"$listed"; then
                                err "journalctl --list-catalog lacks $id"
                        fi
                done
        fi
else
        echo "journalctl missing: catalog not compiled"
fi

if [ "$fail" -eq 0 ]; then
        echo "$(wc -l <<<"$h_ids") message ids, one catalog entry each: ok"
fi
exit $fail
