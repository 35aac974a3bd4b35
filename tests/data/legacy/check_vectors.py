"""Check vectors.json against implementations other than coproctl's, and record which.

Run by hand where the tools are (not part of the test suite, which needs none of them):
``python tests/data/legacy/check_vectors.py [--write] [--django PYTHON]``. It uses what it
finds: PHP (``php``: crypt(), password_verify(), md5(), sha1(), hash(), hash_hmac()),
Apache's ``htpasswd -v``, a Python with Django (``--django``: check_password), the
system's libxcrypt through Python's ``crypt`` module, and hashlib. With ``--write`` each
vector's ``checked_with`` lists the ones that agreed; any disagreement exits 1.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
CRYPT_SCHEMES = {"des_crypt", "md5_crypt", "sha256_crypt", "sha512_crypt", "bcrypt", "yescrypt"}
PHP_CRYPT = {"des_crypt", "md5_crypt", "sha256_crypt", "sha512_crypt", "bcrypt"}
HTPASSWD = {"apr_md5_crypt", "ldap_sha", "des_crypt", "bcrypt"}


def _bare(vector: dict[str, Any]) -> str:
    text = vector["hash"]
    return text[len("{CRYPT}") :] if text.upper().startswith("{CRYPT}") else text


def _php(code: str, *args: str) -> str | None:
    if shutil.which("php") is None:
        return None
    result = subprocess.run(
        ["php", "-r", code, "--", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip()


def php(vector: dict[str, Any]) -> bool | None:
    scheme, password, text = vector["scheme"], vector["password"], _bare(vector)
    salt = vector.get("salt", "")
    programs = {
        "hex_md5": "echo md5($argv[1]) === strtolower($argv[2]) ? 'ok' : 'no';",
        "hex_sha1": "echo sha1($argv[1]) === $argv[2] ? 'ok' : 'no';",
        "hex_sha256": "echo hash('sha256', $argv[1]) === $argv[2] ? 'ok' : 'no';",
        "mysql41": "echo '*'.strtoupper(sha1(sha1($argv[1], true))) === $argv[2] ? 'ok' : 'no';",
        "joomla": (
            "[$h, $s] = explode(':', $argv[2]); echo md5($argv[1].$s) === $h ? 'ok' : 'no';"
        ),
        "wordpress_bcrypt": (
            "echo password_verify(base64_encode(hash_hmac('sha384', $argv[1], 'wp-sha384',"
            " true)), substr($argv[2], 3)) ? 'ok' : 'no';"
        ),
        "md5(password+salt)": "echo md5($argv[1].$argv[3]) === $argv[2] ? 'ok' : 'no';",
        "md5(salt+password)": "echo md5($argv[3].$argv[1]) === $argv[2] ? 'ok' : 'no';",
        "sha1(password+salt)": "echo sha1($argv[1].$argv[3]) === $argv[2] ? 'ok' : 'no';",
        "sha1(salt+password)": "echo sha1($argv[3].$argv[1]) === $argv[2] ? 'ok' : 'no';",
        "sha256(password+salt)": (
            "echo hash('sha256', $argv[1].$argv[3]) === $argv[2] ? 'ok' : 'no';"
        ),
        "sha256(salt+password)": (
            "echo hash('sha256', $argv[3].$argv[1]) === $argv[2] ? 'ok' : 'no';"
        ),
        "md5(md5(password)+salt)": "echo md5(md5($argv[1]).$argv[3]) === $argv[2] ? 'ok' : 'no';",
        "ldap_ssha": (
            "$d = base64_decode(substr($argv[2], 6)); echo sha1($argv[1].substr($d, 20), true)"
            " === substr($d, 0, 20) ? 'ok' : 'no';"
        ),
    }
    if (scheme in PHP_CRYPT and text.startswith(("$", "_"))) or scheme == "des_crypt":
        program = "echo hash_equals($argv[2], crypt($argv[1], $argv[2])) ? 'ok' : 'no';"
    elif scheme in programs:
        program = programs[scheme]
    else:
        return None
    if vector.get("latin1"):
        program = "$argv[1] = iconv('UTF-8', 'Windows-1252', $argv[1]); " + program
    answer = _php(program, password, text, salt)
    return None if answer is None else answer == "ok"


def htpasswd(vector: dict[str, Any]) -> bool | None:
    if vector["scheme"] not in HTPASSWD or shutil.which("htpasswd") is None:
        return None
    text = _bare(vector)
    if vector["scheme"] == "bcrypt" and not text.startswith("$2y$"):
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".htpasswd") as file:
        file.write(f"owner:{text}\n")
        file.flush()
        result = subprocess.run(
            ["htpasswd", "-vb", file.name, "owner", vector["password"]],
            capture_output=True,
            check=False,
        )
    return result.returncode == 0


def libxcrypt(vector: dict[str, Any]) -> bool | None:
    if vector["scheme"] not in CRYPT_SCHEMES:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import crypt  # gone in Python 3.13
        except ImportError:
            return None
    text = _bare(vector)
    return crypt.crypt(vector["password"], text) == text


def python_hashlib(vector: dict[str, Any]) -> bool | None:
    scheme, text = vector["scheme"], vector["hash"]
    password = vector["password"].encode("cp1252" if vector.get("latin1") else "utf-8")
    ldap = {"ldap_md5": "md5", "ldap_sha": "sha1"}
    salted = {"ldap_smd5": "md5", "ldap_ssha": "sha1", "ldap_ssha256": "sha256"}
    salted["ldap_ssha512"] = "sha512"
    if scheme in ldap:
        raw = base64.b64decode(text.split("}", 1)[1])
        return hashlib.new(ldap[scheme], password).digest() == raw
    if scheme in salted:
        raw = base64.b64decode(text.split("}", 1)[1])
        size = hashlib.new(salted[scheme]).digest_size
        return hashlib.new(salted[scheme], password + raw[size:]).digest() == raw[:size]
    if scheme in {"hex_md5", "hex_sha1", "hex_sha256"}:
        return hashlib.new(scheme[4:], password).hexdigest() == text.lower()
    return None


def django(vector: dict[str, Any], python: str | None) -> bool | None:
    if python is None or vector.get("latin1"):
        return None
    text = vector["hash"]
    if not vector["scheme"].startswith("django_") and vector["scheme"] != "hex_md5":
        return None
    program = (
        "import sys; from django.conf import settings; settings.configure("
        "PASSWORD_HASHERS=['django.contrib.auth.hashers.' + n for n in ["
        "'PBKDF2PasswordHasher', 'PBKDF2SHA1PasswordHasher', 'Argon2PasswordHasher',"
        "'BCryptSHA256PasswordHasher', 'BCryptPasswordHasher', 'SHA1PasswordHasher',"
        "'MD5PasswordHasher', 'UnsaltedSHA1PasswordHasher', 'UnsaltedMD5PasswordHasher',"
        "'CryptPasswordHasher']]);"
        "import warnings; warnings.simplefilter('ignore');"
        "from django.contrib.auth.hashers import check_password;"
        "print('ok' if check_password(sys.argv[1], sys.argv[2]) else 'no')"
    )
    result = subprocess.run(
        [python, "-c", program, vector["password"], text],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() == "ok"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--django", help="a Python interpreter that has Django installed")
    options = parser.parse_args()
    path = HERE / "vectors.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    failed = False
    for vector in data["vectors"]:
        checks = {
            "PHP 8.2": php(vector),
            "Apache htpasswd -v": htpasswd(vector),
            "libxcrypt crypt()": libxcrypt(vector),
            "Python hashlib": python_hashlib(vector),
            "Django 4.2 check_password": django(vector, options.django),
        }
        agreed = [name for name, ok in checks.items() if ok]
        refused = [name for name, ok in checks.items() if ok is False]
        failed = failed or bool(refused)
        print(f"{vector['scheme']:24} {vector['hash'][:40]:40} ok: {agreed} REFUSED: {refused}")
        vector["checked_with"] = agreed
    if options.write:
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
