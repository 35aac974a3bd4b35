"""Click's and Typer's own words in French: help chrome, usage errors, validation errors.

The vendored Click inside Typer has no gettext hook (its messages are literals), and Typer's
own ``gettext`` calls find no catalogue; so :func:`install` overrides their messages where
they live (Typer's ``_``, Rich help constants, the type labels, pydantic's validation
messages), and :func:`usage_message` words every usage error in French from the exception's
fields rather than from Click's English sentence. ``cli.lazy.LazyGroup.main`` prints it.

``python -m coproctl.cli.french`` lists the English words left in every command's help
(the help texts are each group's own; :func:`english_words` is the rule the test applies).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import Any

NBSP = "\u00a0"

# Typer's gettext message ids (typer/core.py) -> French
TYPER_MESSAGES = {
    "(dynamic)": "(dynamique)",
    "Aborted!": "Interrompu.",
    "default: {default}": "par défaut" + NBSP + ": {default}",
    "required": "obligatoire",
    "env var: {var}": "variable d'environnement" + NBSP + ": {var}",
    "Arguments": "Arguments",
    "Options": "Options",
    "Commands": "Commandes",
    "Missing command.": "Commande manquante.",
    "No such command {name!r}.": "Commande inconnue" + NBSP + ": « {name} ».",
}

# typer.rich_utils constants -> French (read by the help renderer at each call)
RICH_CONSTANTS = {
    "DEPRECATED_STRING": "(obsolète) ",
    "DEFAULT_STRING": "[par défaut" + NBSP + ": {}]",
    "ENVVAR_STRING": "[variable d'environnement" + NBSP + ": {}]",
    "REQUIRED_LONG_STRING": "[obligatoire]",
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commandes",
    "ERRORS_PANEL_TITLE": "Erreur",
    "ABORTED_TEXT": "Interrompu.",
    "RICH_HELP": "Aide" + NBSP + ": [blue]{command_path} {help_option}[/]",
}

MISSING_COMMAND = TYPER_MESSAGES["Missing command."]
HELP_OPTION_HELP = "Afficher cette aide et quitter."
INSTALL_COMPLETION_HELP = "Installer la complétion pour le shell courant."
SHOW_COMPLETION_HELP = "Afficher le script de complétion du shell courant (installation à la main)."
USAGE_PREFIX = "Utilisation" + NBSP + ": "
SUBCOMMAND_METAVARS = {
    "COMMAND [ARGS]...": "COMMANDE [ARGUMENTS]...",
    "COMMAND1 [ARGS]... [COMMAND2 [ARGS]...]...": "COMMANDE [ARGUMENTS]...",
}

TYPE_LABELS = {
    "str": "texte",
    "int": "entier",
    "float": "nombre",
    "bool": "oui/non",
    "file": "fichier",
    "dir": "dossier",
    "path": "chemin",
    "datetime": "date",
    "Path": "chemin",
}
DATE_FORMAT_LABELS = {
    "%Y-%m-%d": "AAAA-MM-JJ",
    "%Y-%m-%dT%H:%M:%S": "AAAA-MM-JJTHH:MM:SS",
    "%Y-%m-%d %H:%M:%S": "AAAA-MM-JJ HH:MM:SS",
    "%d/%m/%Y": "JJ/MM/AAAA",
}

# pydantic error types (Typer validates values with pydantic) -> French
PYDANTIC_MESSAGES = {
    "int_parsing": "un nombre entier est attendu",
    "int_from_float": "un nombre entier est attendu",
    "int_type": "un nombre entier est attendu",
    "float_parsing": "un nombre est attendu",
    "float_type": "un nombre est attendu",
    "bool_parsing": "oui ou non est attendu",
    "greater_than_equal": "la valeur doit être supérieure ou égale à {ge}",
    "greater_than": "la valeur doit être supérieure à {gt}",
    "less_than_equal": "la valeur doit être inférieure ou égale à {le}",
    "less_than": "la valeur doit être inférieure à {lt}",
    "string_type": "un texte est attendu",
    "missing": "valeur manquante",
    "datetime_parsing": "date invalide",
    "datetime_from_date_parsing": "date invalide",
    "date_parsing": "date invalide",
    "path_type": "chemin invalide",
}

# English sentences of Click, Typer and their validators -> French (the last resort, for
# messages only available as text: value errors, file checks, option usage)
_PHRASES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Value error, "), ""),
    (
        re.compile(r"^'(?P<v>.*)' does not match the formats? (?P<f>.*)\.$"),
        "« {v} » n'est pas une date au format {f}.",
    ),
    (
        re.compile(r"^'(?P<v>.*)' is not one of (?P<c>.*)\.$"),
        "« {v} » n'est pas une valeur possible (valeurs" + NBSP + ": {c}).",
    ),
    (
        re.compile(r"^(?P<k>file|dir|path|File|Directory|Path) '(?P<p>.*)' does not exist\.$"),
        "{k} « {p} » introuvable.",
    ),
    (
        re.compile(r"^(?P<k>file|dir|path|File|Directory|Path) '(?P<p>.*)' is a file\.$"),
        "{k} « {p} » est un fichier.",
    ),
    (
        re.compile(r"^(?P<k>file|dir|path|File|Directory|Path) '(?P<p>.*)' is a directory\.$"),
        "{k} « {p} » est un dossier.",
    ),
    (
        re.compile(r"^(?P<k>file|dir|path|File|Directory|Path) '(?P<p>.*)' is not readable\.$"),
        "{k} « {p} » illisible (droits).",
    ),
    (
        re.compile(r"^(?P<k>file|dir|path|File|Directory|Path) '(?P<p>.*)' is not writable\.$"),
        "{k} « {p} » non modifiable (droits).",
    ),
    (re.compile(r"^Option '(?P<o>.*)' requires an argument\.$"), "L'option {o} attend une valeur."),
    (
        re.compile(r"^Option '(?P<o>.*)' requires (?P<n>\d+) arguments\.$"),
        "L'option {o} attend {n} valeurs.",
    ),
    (
        re.compile(r"^Option '(?P<o>.*)' does not take a value\.$"),
        "L'option {o} ne prend pas de valeur.",
    ),
    (
        re.compile(r"^Argument '(?P<a>.*)' takes (?P<n>\d+) values\.$"),
        "L'argument {a} attend {n} valeurs.",
    ),
    (
        re.compile(r"^Got unexpected extra arguments?(?:\(s\))? \((?P<a>.*)\)$"),
        "Argument(s) en trop" + NBSP + ": {a}.",
    ),
    (
        re.compile(r"^Value '?(?P<v>.*?)'? is not a valid (?P<t>.*)\.$"),
        "Valeur invalide" + NBSP + ": {v}.",
    ),
    (re.compile(r"^value is not a valid tuple$"), "valeurs invalides"),
    (
        re.compile(r"^(?P<n>\d+) values are required, but (?P<g>\d+) given\.$"),
        "{n} valeurs attendues, {g} données.",
    ),
    (re.compile(r"^Value must be an iterable\.$"), "plusieurs valeurs attendues."),
    (re.compile(r"^Choose from:\s*(?P<c>.*)$", re.DOTALL), "Valeurs possibles" + NBSP + ": {c}"),
]
_KIND_FR = {
    "file": "Fichier",
    "File": "Fichier",
    "dir": "Dossier",
    "Directory": "Dossier",
    "path": "Chemin",
    "Path": "Chemin",
}


def translate(text: str) -> str:
    """Known English sentences of Click, Typer or pydantic in French; others unchanged."""
    for pattern, french in _PHRASES:
        found = pattern.search(text)
        if not found:
            continue
        values = {key: value for key, value in found.groupdict().items()}
        if "k" in values:
            values["k"] = _KIND_FR.get(values["k"], values["k"])
        if "f" in values:
            values["f"] = ", ".join(
                DATE_FORMAT_LABELS.get(f.strip("'"), f.strip("'")) for f in values["f"].split(", ")
            )
        if "c" in values:
            values["c"] = ", ".join(c.strip().strip("'") for c in re.split(r",\s*", values["c"]))
        replaced = french.format(**values)
        text = text[: found.start()] + replaced + text[found.end() :]
        if pattern.pattern == r"^Value error, ":
            continue
        break
    return text


def pydantic_message(error: Any) -> str:
    """French for Typer's ``get_error_msg`` (the first pydantic validation error)."""
    from typer._click.utils import _escape_control_characters

    errors = error.errors()
    if not errors:
        return _escape_control_characters(translate(str(error)))
    first = errors[0]
    template = PYDANTIC_MESSAGES.get(first.get("type", ""))
    if template is not None:
        try:
            return template.format(**(first.get("ctx") or {}))
        except (KeyError, IndexError):
            pass
    if first.get("type") == "value_error":
        cause = (first.get("ctx") or {}).get("error")
        return _escape_control_characters(translate(str(cause or first["msg"])))
    translated = translate(str(first["msg"]))
    return _escape_control_characters(
        translated if translated != first["msg"] else "valeur invalide"
    )


def param_hint(param: Any) -> str:
    """How a parameter is named to staff: ``--limit`` (or ``--yes / -y``), ``IDENTIFIANT``."""
    if param is None:
        return ""
    if getattr(param, "param_type_name", "") == "argument":
        return str(param.metavar or (param.name or "").upper())
    opts = [*param.opts]
    return " / ".join(opts) if opts else str(param.name)


def usage_message(error: Any) -> str:
    """A Click usage error (or file error), worded in French from its fields."""
    from typer._click import exceptions as ce

    if isinstance(error, ce.NoSuchOption):
        text = f"Option inconnue{NBSP}: {error.option_name}."
        if error.possibilities:
            choices = ", ".join(sorted(error.possibilities))
            text += f" Vouliez-vous dire {choices}{NBSP}?"
        return text
    if isinstance(error, ce.MissingParameter):
        kind = error.param_type or getattr(error.param, "param_type_name", "parameter")
        hint = param_hint(error.param) if error.param is not None else ""
        label = {"option": "Option manquante", "argument": "Argument manquant"}.get(
            kind, "Paramètre manquant"
        )
        text = f"{label}{NBSP}: {hint}." if hint else f"{label}."
        extra = error.message
        if error.param is not None:
            extra = error.param.get_missing_message(ctx=error.ctx) or extra
        if extra:
            text += " " + translate(extra)
        return text
    if isinstance(error, ce.BadParameter):
        hint = param_hint(error.param) if error.param is not None else error.param_hint
        if isinstance(hint, (list, tuple)):
            hint = " / ".join(hint)
        detail = translate(error.message)
        return (
            f"Valeur invalide pour {hint}{NBSP}: {detail}"
            if hint
            else f"Valeur invalide{NBSP}: {detail}"
        )
    if isinstance(error, ce.FileError):
        return f"Impossible d'ouvrir le fichier « {error.ui_filename} »{NBSP}: {error.message}"
    return translate(error.message if hasattr(error, "message") else str(error))


# --- overrides ---------------------------------------------------------------------------
_installed = False


def _typer_gettext(message: str) -> str:
    return TYPER_MESSAGES.get(message, message)


def _display_type(self: Any, ctx: Any) -> str:
    """Typer's ``<int>``, ``<str>``... in French; ``<AAAA-MM-JJ|...>`` for dates."""
    desc = self.type_descriptor
    if desc.is_choice:
        return "<" + "|".join(str(getattr(c, "value", c)) for c in desc.choices or ()) + ">"
    if desc.is_datetime:
        formats = desc.parameter_info.formats or []
        return (
            "<" + "|".join(DATE_FORMAT_LABELS.get(f, f) for f in formats) + ">"
            if formats
            else "<date>"
        )
    if desc.is_path:
        return f"<{TYPE_LABELS.get(desc.path_type, desc.path_type)}>"
    if desc.is_ranged:
        return f"<{TYPE_LABELS.get(desc.ranged_type_name, desc.ranged_type_name)}>"
    annotation = desc.annotation
    name = getattr(annotation, "__name__", str(annotation))
    if desc.is_list:
        inner = getattr(annotation, "__args__", (str,))[0]
        name = getattr(inner, "__name__", str(inner))
        return f"<{TYPE_LABELS.get(name, name)}>..."
    return f"<{TYPE_LABELS.get(name, name)}>"


def _describe_range(minimum: float | None, maximum: float | None) -> str | None:
    if minimum is None and maximum is None:
        return None
    if maximum is None:
        return f"≥{NBSP}{minimum}"
    if minimum is None:
        return f"≤{NBSP}{maximum}"
    return f"{minimum} à {maximum}"


# a line break inside a docstring paragraph, unless the next line starts a list item
_SOFT_BREAK = re.compile(r"[ \t]*\n[ \t]*(?![-*•] )")


def joined_paragraphs(paragraphs: list[str], markup_mode: Any = None) -> str:
    """The help's paragraphs after the first, as Rich must print them: each paragraph one
    line, wrapped by the terminal at its width. Typer keeps the docstring's own line breaks,
    which made ragged lines; a paragraph Click marks with ``\\b`` keeps its breaks."""
    if markup_mode == "markdown":
        return "\n\n".join(paragraphs)
    return "\n\n".join(p if p.startswith("\b") else _SOFT_BREAK.sub(" ", p) for p in paragraphs)


def _french_rich() -> None:
    from typer import rich_utils

    for name, value in RICH_CONSTANTS.items():
        setattr(rich_utils, name, value)
    rich_utils._ = _typer_gettext  # type: ignore[attr-defined]
    rich_utils._fix_linebreaks = joined_paragraphs  # type: ignore[attr-defined]


def install() -> None:
    """Put Click's and Typer's own words in French (idempotent; cheap: no Rich import)."""
    global _installed
    if _installed:
        return
    _installed = True
    from typer import _coercion, _param_types, core
    from typer._click import core as click_core
    from typer._click import formatting

    core._ = _typer_gettext  # type: ignore[attr-defined]
    core.describe_number_range = _describe_range  # type: ignore[attr-defined]
    _coercion.get_error_msg = pydantic_message  # type: ignore[attr-defined]
    _param_types.get_error_msg = pydantic_message  # type: ignore[attr-defined]
    core._TyperParameter.display_type = _display_type  # type: ignore[method-assign]

    flag_type = core.TyperOption.display_type_rich

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        if getattr(self, "is_flag", False) and self.metavar is None:
            return None  # a flag takes no value: no <bool>
        return flag_type(self, ctx)

    core.TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]

    write_usage = formatting.HelpFormatter.write_usage

    def french_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, USAGE_PREFIX if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = french_usage  # type: ignore[method-assign]

    get_help_option = click_core.Command.get_help_option

    def french_help_option(self: Any, ctx: Any) -> Any:
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = HELP_OPTION_HELP
        return option

    click_core.Command.get_help_option = french_help_option  # type: ignore[method-assign]

    collect = core.TyperGroup.collect_usage_pieces

    def french_pieces(self: Any, ctx: Any) -> list[str]:
        return [SUBCOMMAND_METAVARS.get(piece, piece) for piece in collect(self, ctx)]

    core.TyperGroup.collect_usage_pieces = french_pieces  # type: ignore[method-assign]

    for cls in (core.TyperCommand, core.TyperGroup):
        original = cls.format_help

        def format_help(self: Any, ctx: Any, formatter: Any, _original: Any = original) -> None:
            _french_rich()
            _original(self, ctx, formatter)

        cls.format_help = format_help  # type: ignore[method-assign]


def _install_completion(ctx: Any, param: Any, value: Any) -> Any:
    if not value or ctx.resilient_parsing:
        return value
    import typer
    from typer.completion import install as install_script

    shell, path = install_script(shell=value) if isinstance(value, str) else install_script()
    typer.echo(f"Complétion {shell} installée dans {path}{NBSP}; ouvrez un nouveau terminal.")
    sys.exit(0)


def french_completion_options(params: list[Any]) -> None:
    """The root's ``--install-completion`` / ``--show-completion`` helps in French."""
    for param in params:
        if "--install-completion" in param.opts:
            param.help = INSTALL_COMPLETION_HELP
            param.callback = _install_completion
        elif "--show-completion" in param.opts:
            param.help = SHOW_COMPLETION_HELP


# --- finding English ---------------------------------------------------------------------
# English words that French help and messages never contain; command names, options
# (--limit), metavars (IDENTIFIANT) and `code` are left out before the check.
ENGLISH = frozenset(
    """
    the is are was be been of and to for with without this that these those from by not no
    yes show shows missing such got unexpected extra invalid should must input error usage
    try default required aborted only when which what who their its it into than if then
    each every will can may has have do does given until before after between choose enter
    repeat here there you your we our did mean value values greater less equal exit install
    completion current customize specified env var commands command print prints
    list lists read reads write writes folder day days hours at most least
    one ones new old owner owners account accounts status delete deletes deleted create
    creates created lock locked unlock link switch back off first last name names password
    passwords order above below text number also instead rather where why how while still
    again any all none other others
""".split()  # noqa: SIM905 (a list of words reads better as words)
)
_CODE = re.compile(
    r"`[^`]*`|\b\w+(?:[._]\w+)+\b|(?<![\w-])--?[A-Za-z][\w-]*|\b[A-Z][A-Z0-9_]{2,}\b|\{[^}]*\}|\$\w+|\S+@\S+|\S+://\S+"
)
_WORD = re.compile(r"[A-Za-zÀ-ÿœŒæÆ'-]+")


def english_words(text: str, *, ignore: frozenset[str] = frozenset()) -> list[str]:
    """The English words of ``text`` (a heuristic: words French never uses, see ENGLISH)."""
    stripped = _CODE.sub(" ", text)
    found = []
    for word in _WORD.findall(stripped):
        lowered = word.lower().strip("'-")
        if lowered in ENGLISH and lowered not in ignore:
            found.append(word)
    return found


def help_texts(entry: Any) -> Iterator[tuple[str, str]]:
    """(where, text) for a command's own words: its help and its parameters' helps."""
    command = entry.command
    yield "help", command.help or ""
    if command.short_help:
        yield "short_help", command.short_help
    for param in getattr(command, "params", []):
        text = getattr(param, "help", None)
        if text:
            yield param_hint(param), text


def english_help_report() -> list[tuple[str, str, list[str]]]:
    """Every help text with English left in it: (command, where, words)."""
    from coproctl.cli.reference import walk

    install()
    entries = list(walk())
    # command names (list, show, purge...) may be named in French prose: not counted
    names = frozenset(part.lower() for entry in entries for part in entry.path)
    report = []
    for entry in entries:
        for where, text in help_texts(entry):
            words = english_words(text, ignore=names)
            if words:
                report.append((entry.name, where, words))
    return report


if __name__ == "__main__":
    for command, where, words in english_help_report():
        print(f"{command}  [{where}]  {', '.join(sorted(set(words)))}")
