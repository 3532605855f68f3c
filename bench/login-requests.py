#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/bench-check's yardstick: the same 3-step login pik-check does (GET
the form, POST it with its hidden token, follow the redirect, match the
marker), written the way people write it with python3-requests.

Usage: login-requests.py URL USERNAME PASSWORD MARKER  (exit 0: logged in)
"""

import re
import sys

import requests


def main():
    url, username, password, marker = sys.argv[1:5]
    s = requests.Session()
    r = s.get(url, timeout=10)
    r.raise_for_status()
    token = re.search(r'name="authenticity_token" value="([^"]*)"', r.text).group(1)
    r = s.post(url, data={"authenticity_token": token, "email": username, "password": password,
                          "commit": "Log in"}, timeout=10)
    r.raise_for_status()
    return 0 if marker in r.text else 1


if __name__ == "__main__":
    sys.exit(main())
