"""Set up a site from the data model (``spsync provision``) and compare a site with it
(``spsync check``).

The core is pure: :func:`plan_provision` turns the schema lists and a description of the site
(:class:`spsync.gateway.SiteDescription`) into the :class:`Step` s that are missing, and
:func:`compare_site` into the :class:`Problem` s an administrator must know about, each with a
Dutch sentence that says how to fix it. :func:`apply_provision` is the thin shell that runs the
steps over a :class:`spsync.gateway.SiteAdmin`. Planning from what the site has makes a second
run create nothing. Provisioning only adds: it never changes the type of an existing column or
deletes anything, because that could lose staff data; such differences are problems for a person.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

from spsync import schema
from spsync.config import Config
from spsync.gateway import FieldDescription, ListDescription, SiteAdmin, SiteDescription
from spsync.schema import Column, ListDef, Writer

__all__ = [
    "PERMISSION_LABELS",
    "TYPE_LABELS",
    "Problem",
    "Step",
    "apply_provision",
    "compare_site",
    "field_schema_xml",
    "plan_provision",
    "site_titles",
]

#: Dutch names of the column types, as SharePoint's own Dutch interface shows them.
TYPE_LABELS: dict[str, str] = {
    "Text": "Eén regel tekst", "Note": "Meerdere regels tekst", "Number": "Getal",
    "Currency": "Valuta", "DateTime": "Datum en tijd", "Choice": "Keuze", "Lookup": "Opzoeken",
    "User": "Persoon of groep", "Boolean": "Ja/nee", "URL": "Hyperlink", "Integer": "Geheel getal",
    "Counter": "Teller", "Calculated": "Berekend", "MultiChoice": "Keuze (meerdere)",
    "LookupMulti": "Opzoeken (meerdere)", "UserMulti": "Persoon of groep (meerdere)",
}

#: The SP.PermissionKind numbers spsync needs, with what they allow in Dutch.
VIEW, ADD, EDIT, MANAGE_LISTS = 1, 2, 3, 12
PERMISSION_LABELS: dict[int, str] = {
    VIEW: "items lezen (ViewListItems)", ADD: "items toevoegen (AddListItems)",
    EDIT: "items bewerken (EditListItems)",
    MANAGE_LISTS: "lijsten en kolommen beheren (ManageLists)",
}

#: (expected, found) column types that serve spsync just as well.
_COMPATIBLE = frozenset({("Text", "Note"), ("Currency", "Number"), ("Number", "Currency")})
_LIST, _LIBRARY = 100, 101


@dataclass(frozen=True)
class Step:
    """One thing provisioning creates. ``site_name`` is the column's internal name on the site
    (the config's ``[columns.*]`` mapping applied); lookups name their target's site title
    and show field."""

    action: Literal["create_list", "create_field", "set_index", "add_choices"]
    list_key: str
    list_title: str
    library: bool = False
    column: Column | None = None
    site_name: str | None = None
    lookup_title: str | None = None
    lookup_show: str | None = None
    choices: tuple[str, ...] = ()  # add_choices: the column's options afterwards ...
    added: tuple[str, ...] = ()  # ... of which these are new

    @property
    def text(self) -> str:
        """A Dutch line for the administrator (``--dry-run`` prints these)."""
        if self.action == "create_list":
            kind = "Documentbibliotheek" if self.library else "Lijst"
            return f"{kind} '{self.list_title}' aanmaken"
        assert self.column is not None
        if self.action == "set_index":
            return f"Index zetten op kolom '{self.site_name}' in '{self.list_title}'"
        if self.action == "add_choices":
            added = ", ".join(f"'{c}'" for c in self.added)
            return (f"Keuze(s) {added} toevoegen aan kolom '{self.site_name}' in "
                    f"'{self.list_title}'")
        extra = ", met index" if self.column.must_index else ""
        return (f"Kolom '{self.site_name}' ({_type_label(self.column, self.lookup_title)}, "
                f"weergavenaam '{self.column.title}'{extra}) toevoegen aan '{self.list_title}'")


@dataclass(frozen=True)
class Problem:
    """A difference between the config and the site, for a person: ``message`` is one Dutch
    sentence that names the thing and the fix; ``fixable`` means ``spsync provision`` fixes it."""

    code: str
    message: str
    list_key: str | None = None
    column: str | None = None
    fixable: bool = False


def site_titles(lists: Sequence[ListDef], config: Config | None) -> dict[str, str]:
    """List key -> the title on the site (the config's ``[lists]``, else the model's title)."""
    titles = dict(config.lists) if config is not None else {}
    return {d.key: titles.get(d.key, d.title) for d in lists}


def _site_column(config: Config | None, key: str, column: str) -> str:
    return config.site_column(key, column) if config is not None else column


def _type_label(col: Column, lookup_title: str | None = None) -> str:
    label = TYPE_LABELS.get(col.type, col.type)
    if col.type == "Lookup":
        return f"{label} naar '{lookup_title or col.lookup_list}'"
    return label


def _type_ok(expected: str, found: str) -> bool:
    return expected == found or (expected, found) in _COMPATIBLE


# -- plan ------------------------------------------------------------------------------------

def plan_provision(lists: Sequence[ListDef], site: SiteDescription,
                   config: Config | None = None) -> list[Step]:
    """What must be created so the site has every list, column and index of ``lists``.

    Lists come first (so lookups can point at them), then per list its missing columns in
    schema order (lookup targets' columns exist by then), then missing indexes on existing
    columns and the missing options of existing Choice columns (added after the site's own).
    A column that exists with another type is left alone: :func:`compare_site` reports it."""
    titles = site_titles(lists, config)
    steps = [Step("create_list", d.key, titles[d.key], library=d.is_library)
             for d in lists if site.lists.get(titles[d.key]) is None]
    later_steps = []
    for d in lists:
        described = site.lists.get(titles[d.key])
        existing = described.fields if described is not None else {}
        for col in d.columns:
            name = _site_column(config, d.key, col.name)
            lookup_title, lookup_show = _lookup_on_site(col, titles, config)
            found = existing.get(name)
            if found is None and col.name in schema.BUILTIN_COLUMNS:
                # made with the list: a new list's built-in column may still need its index
                if described is None and col.must_index:
                    later_steps.append(Step("set_index", d.key, titles[d.key], d.is_library,
                                            col, name))
                continue
            if found is None:
                steps.append(Step("create_field", d.key, titles[d.key], d.is_library, col, name,
                                  lookup_title, lookup_show))
                continue
            if col.must_index and not found.indexed and _type_ok(col.type, found.type):
                later_steps.append(Step("set_index", d.key, titles[d.key], d.is_library, col,
                                        name))
            missing = _missing_choices(col, found.choices) if found.type == "Choice" else ()
            if col.type == "Choice" and missing:
                later_steps.append(Step("add_choices", d.key, titles[d.key], d.is_library, col,
                                        name, choices=(*found.choices, *missing),
                                        added=missing))
    return steps + later_steps


def _missing_choices(col: Column | None, present: Sequence[str]) -> tuple[str, ...]:
    return tuple(c for c in (col.choices if col else ()) if c not in present)


def _lookup_on_site(col: Column, titles: Mapping[str, str], config: Config | None
                    ) -> tuple[str | None, str | None]:
    """(site title of the target list, site name of its show field) of a Lookup column."""
    if col.type != "Lookup":
        return None, None
    target = schema.lookup_target(col)
    title = titles.get(target.key, target.title)
    return title, _site_column(config, target.key, col.lookup_field or "Title")


def field_schema_xml(col: Column, site_name: str, lookup_list_id: str | None = None,
                     lookup_show: str | None = None) -> str:
    """The ``<Field>`` element CreateFieldAsXml takes for ``col``: internal name, Dutch
    display name, type details, choices, lookup target, index and uniqueness. Daemon columns are
    hidden from the new and edit forms (DATA-MODEL §0: only spsync writes them)."""
    attrs: dict[str, str] = {"Type": col.type, "Name": site_name, "StaticName": site_name,
                             "DisplayName": col.title,
                             "Required": "TRUE" if col.required else "FALSE"}
    if col.must_index:
        attrs["Indexed"] = "TRUE"
    if col.unique:
        attrs["EnforceUniqueValues"] = "TRUE"
    if col.type == "Number" and col.decimals is not None:
        attrs["Decimals"] = str(col.decimals)
    if col.type == "Currency":
        attrs.update(LCID="1043", Decimals="2")  # nl-NL: euro
    if col.type == "DateTime":
        attrs["Format"] = "DateOnly" if col.date_only else "DateTime"
    if col.type == "Text" and col.max_length:
        attrs["MaxLength"] = str(col.max_length)
    if col.type == "Note":
        attrs.update(NumLines="6", RichText="FALSE")
    if col.type == "Choice":
        attrs.update(Format="Dropdown", FillInChoice="FALSE")
    if col.type == "User":
        attrs.update(UserSelectionMode="PeopleOnly", List="UserInfo", ShowField="ImnName")
    if col.type == "Lookup":
        if not lookup_list_id:
            raise ValueError(f"lookup column {site_name} needs its target list's id")
        attrs.update(List="{" + lookup_list_id.strip("{}") + "}",
                     ShowField=lookup_show or col.lookup_field or "Title")
    if col.type == "URL":
        attrs["Format"] = "Hyperlink"
    if col.writer is Writer.DAEMON:
        attrs.update(ShowInNewForm="FALSE", ShowInEditForm="FALSE")
    inner = ""
    if col.choices:
        inner += "<CHOICES>" + "".join(f"<CHOICE>{escape(c)}</CHOICE>" for c in col.choices) \
            + "</CHOICES>"
    if col.default is not None:
        inner += f"<Default>{escape(col.default)}</Default>"
    head = "<Field " + " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items())
    return f"{head}>{inner}</Field>" if inner else f"{head} />"


# -- apply -----------------------------------------------------------------------------------

def apply_provision(admin: SiteAdmin, steps: Sequence[Step], site: SiteDescription,
                    on_step: Callable[[Step], None] | None = None) -> list[Step]:
    """Run ``steps`` in order; returns the steps done. ``on_step`` is called before each (for
    the CLI's progress lines). A failure raises the gateway's error: what was done stays done,
    and the next run plans only the rest."""
    ids = {title: d.id for title, d in site.lists.items() if d is not None}
    done = []
    for step in steps:
        if on_step is not None:
            on_step(step)
        if step.action == "create_list":
            created = admin.create_list(step.list_title, library=step.library,
                                        description="Aangemaakt door spsync provision.")
            ids[step.list_title] = created.id
        elif step.action == "create_field":
            assert step.column is not None and step.site_name is not None
            lookup_id = None
            if step.lookup_title is not None:
                lookup_id = ids.get(step.lookup_title) or _list_id(admin, step.lookup_title)
            admin.create_field(step.list_title, field_schema_xml(
                step.column, step.site_name, lookup_id, step.lookup_show))
        elif step.action == "add_choices":
            assert step.site_name is not None
            admin.set_field_choices(step.list_title, step.site_name, step.choices)
        else:
            assert step.site_name is not None
            admin.set_field_indexed(step.list_title, step.site_name)
        done.append(step)
    return done


def _list_id(admin: SiteAdmin, title: str) -> str:
    described = admin.describe_site([title]).lists.get(title)
    if described is None:
        raise KeyError(title)
    return described.id


# -- compare ---------------------------------------------------------------------------------

def compare_site(config: Config, site: SiteDescription,
                 lists: Sequence[ListDef] | None = None) -> list[Problem]:
    """Every way the site differs from what ``config`` and the data model need, in list order:
    missing lists and columns, wrong list kinds and column types, lookups to another list,
    missing indexes and choices, and missing permissions of the app."""
    lists = tuple(lists if lists is not None else schema.provisioned_lists())
    titles = site_titles(lists, config)
    problems: list[Problem] = []
    for d in lists:
        title = titles[d.key]
        described = site.lists.get(title)
        if described is None:
            problems.append(_missing_list(d, title))
            continue
        problems += _list_kind(d, title, described)
        for col in d.columns:
            problems += _column(config, d, col, title, described, titles, site)
    problems += _permissions(lists, titles, site, problems)
    return problems


def _missing_list(d: ListDef, title: str) -> Problem:
    kind = "bibliotheek" if d.is_library else "lijst"
    return Problem("LIJST_ONTBREEKT",
                   f"De {kind} '{title}' ontbreekt op de site. Voer 'spsync provision' uit, of zet "
                   f"in [lists] {d.key} = \"<titel>\" als de {kind} een andere naam heeft.",
                   d.key, fixable=True)


def _list_kind(d: ListDef, title: str, described: ListDescription) -> list[Problem]:
    if d.is_library and described.base_template != _LIBRARY:
        return [Problem("GEEN_BIBLIOTHEEK",
                        f"'{title}' is een lijst, geen documentbibliotheek. Maak een "
                        f"documentbibliotheek, of zet in [lists] {d.key} = \"<titel>\" van een "
                        "bestaande bibliotheek.", d.key)]
    if not d.is_library and described.base_template == _LIBRARY:
        return [Problem("GEEN_LIJST",
                        f"'{title}' is een documentbibliotheek, geen lijst. Maak een lijst, of zet "
                        f"in [lists] {d.key} = \"<titel>\" van een bestaande lijst.", d.key)]
    return []


def _column(config: Config, d: ListDef, col: Column, title: str, described: ListDescription,
            titles: Mapping[str, str], site: SiteDescription) -> list[Problem]:
    name = config.site_column(d.key, col.name)
    found = described.fields.get(name)
    kind = "bibliotheek" if d.is_library else "lijst"
    lookup_title, lookup_show = _lookup_on_site(col, titles, config)
    expected = _type_label(col, lookup_title)
    if found is None:
        return [Problem("KOLOM_ONTBREEKT",
                        f"Maak in de {kind} '{title}' een kolom '{name}' van het type {expected}, "
                        f"of zet in [columns.{d.key}] de interne naam van de bestaande kolom.",
                        d.key, col.name, fixable=col.name not in schema.BUILTIN_COLUMNS)]
    if not _type_ok(col.type, found.type):
        return [Problem("VERKEERD_TYPE",
                        f"De kolom '{name}' in de {kind} '{title}' is van het type "
                        f"{TYPE_LABELS.get(found.type, found.type)}; spsync verwacht {expected}. "
                        f"Maak een kolom van het type {expected} en zet in [columns.{d.key}] "
                        f"{col.name} = \"<interne naam>\".", d.key, col.name)]
    out = []
    if col.type == "Lookup":
        out += _lookup(d, col, name, title, found, lookup_title, lookup_show, site)
    if col.must_index and not found.indexed:
        out.append(Problem("INDEX_ONTBREEKT",
                           f"De kolom '{name}' in de {kind} '{title}' heeft geen index. Voer "
                           "'spsync provision' uit, of zet de index in Lijstinstellingen > "
                           "Geïndexeerde kolommen (dat kan alleen zolang de lijst minder dan "
                           "20.000 items heeft).", d.key, col.name, fixable=True))
    missing = _missing_choices(col, found.choices)
    if col.type == "Choice" and found.type == "Choice" and missing:
        values = ", ".join(f"'{c}'" for c in missing)
        out.append(Problem("KEUZES_ONTBREKEN",
                           f"De keuzekolom '{name}' in de {kind} '{title}' mist de keuze(s) "
                           f"{values}. Voer 'spsync provision' uit, of voeg ze toe in de "
                           "kolominstellingen.", d.key, col.name, fixable=True))
    return out


def _lookup(d: ListDef, col: Column, name: str, title: str, found: FieldDescription,
            lookup_title: str | None, lookup_show: str | None, site: SiteDescription
            ) -> list[Problem]:
    target = site.lists.get(lookup_title or "")
    wrong_list = target is not None and found.lookup_list is not None and \
        found.lookup_list.strip("{}").lower() != target.id.strip("{}").lower()
    wrong_field = found.lookup_field is not None and lookup_show is not None and \
        found.lookup_field != lookup_show
    if not (wrong_list or wrong_field):
        return []
    return [Problem("VERKEERDE_OPZOEKING",
                    f"De opzoekkolom '{name}' in de lijst '{title}' wijst niet naar de kolom "
                    f"'{lookup_show}' van de lijst '{lookup_title}'. Maak de kolom opnieuw als "
                    f"opzoekkolom naar '{lookup_title}' (kolom '{lookup_show}'), of zet in "
                    f"[columns.{d.key}] {col.name} = \"<interne naam>\" van een kolom die dat "
                    "doet.", d.key, col.name)]


def _needed_rights(d: ListDef) -> tuple[int, ...]:
    """What spsync does in a list: read it; edit its items when it owns columns; add items
    (files) in the library and in lists it fills itself (Signalen)."""
    owned = any(c.writer is Writer.DAEMON for c in d.columns)
    fills = d.is_library or all(c.writer is Writer.DAEMON for c in d.columns)
    return (VIEW, *((ADD,) if fills else ()), *((EDIT,) if owned else ()))


def _permissions(lists: Sequence[ListDef], titles: Mapping[str, str], site: SiteDescription,
                 problems: Sequence[Problem]) -> list[Problem]:
    out = []
    for d in lists:
        described = site.lists.get(titles[d.key])
        rights = described.permissions if described is not None and \
            described.permissions is not None else site.permissions
        if rights is None:
            continue
        missing = [k for k in _needed_rights(d) if k not in rights]
        if missing:
            labels = ", ".join(PERMISSION_LABELS[k] for k in missing)
            out.append(Problem("RECHT_ONTBREEKT",
                               f"spsync mist in '{titles[d.key]}' het recht: {labels}. Geef de app "
                               "via Sites.Selected de rol 'write' op deze site (zie "
                               "docs/INSTALL.md).", d.key))
    if any(p.fixable for p in problems) and site.permissions is not None \
            and MANAGE_LISTS not in site.permissions:
        out.append(Problem("RECHT_ONTBREEKT",
                           "'spsync provision' mag op deze site geen lijsten en kolommen maken "
                           f"(recht {PERMISSION_LABELS[MANAGE_LISTS]} ontbreekt). Geef de app "
                           "tijdelijk de Sites.Selected-rol 'manage', of laat een site-eigenaar "
                           "de ontbrekende lijsten en kolommen maken."))
    return out
