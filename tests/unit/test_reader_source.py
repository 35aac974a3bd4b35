"""Reading what is not a regular file, or not an export, without reading without limit."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from coproctl.importers import source
from coproctl.importers.errors import ReadError
from coproctl.importers.reader import read_csv, read_file
from coproctl.importers.rows import MAX_LINE_ERRORS
from tests.unit.test_reader import ALLOWED, REQUIRED

HEADER = "Identifiant;Mot de passe;Réf. copropriétaire;Nom\r\n"


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "export.fifo"
    os.mkfifo(path)
    return path


def _feed(path: Path, chunks: Iterator[bytes]) -> threading.Thread:
    """A writer on the other end of a FIFO; it stops when the reader closes its end."""

    def run() -> None:
        try:
            with path.open("wb") as out:
                for chunk in chunks:
                    out.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_fifo_is_read_like_a_file(fifo: Path) -> None:
    rows = "".join(f"A{i};Pw-{i:04d}xY;C{i};Nom{i}\r\n" for i in range(50))
    writer = _feed(fifo, iter([HEADER.encode(), rows.encode()]))
    table = read_file(fifo, allowed=ALLOWED, required=REQUIRED)
    writer.join(timeout=10)
    assert len(table.rows) == 50
    assert table.rows[-1].line == 51


def test_an_endless_pipe_stops_at_the_cap(fifo: Path) -> None:
    def endless() -> Iterator[bytes]:
        line = b"A1;Pw-0001xY;C1;Dupont\r\n" * 4096
        yield HEADER.encode()
        while True:
            yield line

    writer = _feed(fifo, endless())
    with pytest.raises(ReadError) as refused:
        source.read_bytes(fifo, limit=2 * 1024 * 1024)
    writer.join(timeout=10)
    assert refused.value.code == "file_too_large"
    assert "dépasse 2 Mo" in refused.value.message
    assert not writer.is_alive()  # its pipe was closed: it stopped writing


def test_dev_zero_is_refused_at_the_first_chunk() -> None:
    with pytest.raises(ReadError) as refused:
        read_file(Path("/dev/zero"), allowed=ALLOWED, required=REQUIRED)
    assert refused.value.code == "unreadable_file"
    assert "octets nuls" in refused.value.message


def test_a_line_longer_than_the_limit_is_refused(fifo: Path) -> None:
    def one_long_line() -> Iterator[bytes]:
        yield HEADER.encode()
        while True:
            yield b"x" * 65536  # no line break, ever

    writer = _feed(fifo, one_long_line())
    with pytest.raises(ReadError) as refused:
        read_file(fifo, allowed=ALLOWED, required=REQUIRED)
    writer.join(timeout=10)
    assert refused.value.code == "line_too_long"
    assert refused.value.message.startswith(f"Ligne 2 de {fifo} : plus de 1 Mo sans retour")


def test_a_missing_header_is_refused_before_the_rest_is_parsed() -> None:
    """The rest would have been a stray-quote error: the header check came first."""
    data = b"1;2;3;4\r\n" * 20 + b'5;"6;7;8\r\n' + b"9;10;11;12\r\n" * 20
    with pytest.raises(ReadError) as refused:
        read_csv(data, allowed=ALLOWED, required=REQUIRED)
    assert refused.value.code == "missing_columns"


def test_a_file_of_errors_stops_when_errors_outnumber_rows() -> None:
    bad = b";;;\xc3\xa9\r\n".replace(b";;;", b";x;C1;Nom;")  # no identifiant, 5 cells
    data = HEADER.encode() + b"A1;Pw-0001xY;C1;Dupont\r\n" + bad * (MAX_LINE_ERRORS + 5)
    with pytest.raises(ReadError) as refused:
        read_csv(data, allowed=ALLOWED, required=REQUIRED)
    assert refused.value.code == "too_many_errors"
    assert f"(dernière : ligne {MAX_LINE_ERRORS + 3})" in refused.value.message


def test_workbook_is_known_by_its_bytes_not_its_name(tmp_path: Path) -> None:
    fake = tmp_path / "appel.xlsx"
    fake.write_bytes(HEADER.encode() + b"A1;Pw-0001xY;C1;Dupont\r\n")
    table = read_file(fake, allowed=ALLOWED, required=REQUIRED)  # a CSV named .xlsx
    assert table.format == "csv"
    broken = tmp_path / "casse.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x01" * 100)
    with pytest.raises(ReadError) as refused:
        read_file(broken, allowed=ALLOWED, required=REQUIRED)
    assert refused.value.code == "unreadable_file"
    assert refused.value.message.startswith(f"Le classeur {broken} (xlsx) est illisible")


def test_a_regular_file_is_held_once_and_checked_the_same(tmp_path: Path) -> None:
    long_line = tmp_path / "long.csv"
    long_line.write_bytes(HEADER.encode() + b"A1;" + b"x" * (2 * 1024 * 1024) + b"\r\n")
    with pytest.raises(ReadError) as refused:
        read_file(long_line, allowed=ALLOWED, required=REQUIRED)
    assert refused.value.code == "line_too_long"
    big = tmp_path / "big.csv"
    big.write_bytes(HEADER.encode() + b"A1;Pw-0001xY;C1;Dupont\r\n" * 100_000)
    with pytest.raises(ReadError) as refused:
        source.read_bytes(big, limit=1024 * 1024)
    assert refused.value.code == "file_too_large"
    assert source.read_bytes(big) == big.read_bytes()
    nul = tmp_path / "nul.csv"
    nul.write_bytes(HEADER.encode() + b"A1;\x00;C1;Dupont\r\n" * 3)
    with pytest.raises(ReadError) as refused:
        source.read_bytes(nul)
    assert refused.value.code == "unreadable_file"
