#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The polkit policy is well-formed XML, valid against polkit's DTD where the
# DTD is installed, and declares exactly pik's five actions with the agreed
# defaults. Exit 77 (skipped) without xmllint.
#
# Usage: test-policy.sh org.pik.policy
set -eu
policy=${1:?usage: test-policy.sh POLICY}

if ! command -v xmllint >/dev/null; then
        echo "xmllint missing (package libxml2-utils): skipped"
        exit 77
fi

xmllint --noout --nonet "$policy"
echo "well-formed: $policy"

dtd=""
for d in /usr/share/polkit-1/policyconfig-1.dtd \
         /usr/share/polkit-1/actions/policyconfig-1.dtd \
         /usr/share/xml/polkit-1/policyconfig-1.dtd; do
        if [ -r "$d" ]; then
                dtd=$d
                break
        fi
done
if [ -n "$dtd" ]; then
        xmllint --noout --nonet --dtdvalid "$dtd" "$policy"
        echo "valid against $dtd"
else
        echo "polkit's DTD not installed: validity not checked"
fi

want="org.pik.hold org.pik.maintenance org.pik.manage-browsers org.pik.manage-configs org.pik.manage-partners org.pik.run-now"
got=$(xmllint --nonet --xpath '//action/@id' "$policy" | sed 's/ *id="\([^"]*\)"/\1\n/g' | sed '/^$/d' | sort | tr '\n' ' ')
if [ "${got% }" != "$want" ]; then
        echo "actions: got '$got', want '$want'" >&2
        exit 1
fi
for a in $want; do
        for k in allow_any:no allow_inactive:no allow_active:auth_admin_keep; do
                v=$(xmllint --nonet --xpath "string(//action[@id='$a']/defaults/${k%%:*})" "$policy")
                if [ "$v" != "${k#*:}" ]; then
                        echo "$a: ${k%%:*} is '$v', want '${k#*:}'" >&2
                        exit 1
                fi
        done
done
echo "actions and defaults: ok ($want)"
