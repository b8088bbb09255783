#!/bin/sh
# build-docs.sh BIN_DIR OUT_DIR: coinguard(8) from the argparse definitions (argparse-manpage) and the
# bash completion (argcomplete), with the programs of the venv whose bin/ is BIN_DIR.
# Used by `make man`, `make deb` and tests/test_manpage.py.
set -eu
bin="$1" out="$2"
here="$(cd "$(dirname "$0")" && pwd)"
version="$("$bin/python" -c 'import coinguard; print(coinguard.__version__)')"
mkdir -p "$out"
"$bin/argparse-manpage" --module coinguard.cli --function build_parser --prog coinguard \
    --project-name coinguard --version "$version" --manual-section 8 --manual-title "System Administration" \
    --description "Postfix milter against malicious, crypto-themed mail attachments" \
    --include "$here/coinguard.8.include" --output "$out/coinguard.8"
"$bin/register-python-argcomplete" coinguard > "$out/coinguard.bash"
