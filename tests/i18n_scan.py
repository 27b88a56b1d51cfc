"""What a page shows a reader, read from an AppTest run, and the English left in it outside data.

:func:`shown_texts` walks the element tree of a run and returns every string a
reader reads: headings, markdown, captions, alerts, widget labels, help texts,
placeholders and formatted options, tab and expander labels, metric labels and
deltas, table column labels and help, string cells of tables, and a plotly
figure's titles, axis and colour-bar titles, legend names, annotations, tick
labels and hover templates. Ids, widget values and raw data arrays are left out.

:func:`english_runs` finds runs of four or more English words in a text after
removing data (titles, genres, ids, model and field names, paths: the
``data`` strings), code spans, formulas, URLs, HTML tags and plotly's
``%{...}`` fields.
"""
from __future__ import annotations

import json
import re

from google.protobuf.message import Message

#: proto string fields that hold text a reader reads (every other string field is an id, a value or a style)
READ_FIELDS = {"body", "label", "help", "placeholder", "options", "delta", "text", "title"}
#: proto messages whose strings are never reader text (markdown ``body`` of st.latex is a formula)
SKIP_FIELDS = {"id", "form_id", "raw_value", "raw_values", "default", "value", "format", "tag", "column_order",
               "theme", "config", "icon", "type", "url", "deferred_file_id", "styles", "uuid", "spec", "columns"}

WORD = r"[A-Za-z]+(?:['’-][A-Za-z]+)*"
RUN = re.compile(rf"(?<![\w@]){WORD}(?:[,;:]?\s+{WORD}){{3,}}(?![\w@])")
HAN = re.compile(r"[\u4e00-\u9fff]")


def _strings(msg: Message, path: str):
    for fd, val in msg.ListFields():
        if fd.name in SKIP_FIELDS:
            continue
        vals = list(val) if hasattr(val, "__len__") and not isinstance(val, (str, bytes, Message)) else [val]
        for v in vals:
            if isinstance(v, Message):
                yield from _strings(v, f"{path}.{fd.name}")
            elif isinstance(v, str) and fd.name in READ_FIELDS:
                yield f"{path}.{fd.name}", v


def _plotly(spec: str, where: str):
    fig = json.loads(spec)
    layout = fig.get("layout", {})

    def title(obj):
        t = (obj or {}).get("title")
        return t.get("text") if isinstance(t, dict) else t

    out = [("layout.title", title(layout)), ("legend.title", title(layout.get("legend")))]
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            out.append((f"{name}.title", title(axis)))
            out += [(f"{name}.ticktext", str(x)) for x in axis.get("ticktext") or []]
    out += [("annotation", a.get("text")) for a in layout.get("annotations") or []]
    coloraxis = layout.get("coloraxis", {}).get("colorbar")
    out.append(("coloraxis.colorbar", title(coloraxis)))
    for trace in fig.get("data", []):
        out.append(("trace.name", trace.get("name")))
        out.append(("trace.hovertemplate", trace.get("hovertemplate")))
        out.append(("trace.colorbar", title((trace.get("marker") or {}).get("colorbar"))))
        for key in ("text", "x", "y"):  # category labels a reader reads on the chart
            v = trace.get(key)
            if isinstance(v, list):
                out += [(f"trace.{key}", x) for x in v if isinstance(x, str)]
            elif isinstance(v, str):
                out.append((f"trace.{key}", v))
    return [(f"{where}:{k}", v) for k, v in out if isinstance(v, str) and v]


def _dataframe(el, where: str):
    out = []
    try:
        cfg = json.loads(el.proto.columns or "{}")
    except ValueError:
        cfg = {}
    for col, c in cfg.items():
        if isinstance(c, dict):
            out += [(f"{where}:column[{col}].{k}", c[k]) for k in ("label", "help") if isinstance(c.get(k), str)]
    df = el.value
    df = df.data if hasattr(df, "data") and not hasattr(df, "columns") else df
    for col in df.columns:
        if df[col].dtype == object:
            out += [(f"{where}:cell[{col}]", v) for v in df[col].dropna().unique() if isinstance(v, str)]
    return out


def shown_texts(at) -> list[tuple[str, str]]:
    """``[(where, text)]`` of everything the run shows a reader (main area and sidebar)."""
    out = []

    def walk(node):
        proto = getattr(node, "proto", None)
        kind = type(node).__name__
        if isinstance(proto, Message):
            name = proto.DESCRIPTOR.name
            if kind == "Dataframe":
                out.extend(_dataframe(node, "dataframe"))
            elif name == "PlotlyChart":
                out.extend(_plotly(proto.spec, f"plotly[{getattr(node, 'key', '')}]"))
            elif kind == "Latex" or (name == "Markdown" and getattr(proto, "element_type", 0) == 4):
                pass  # a formula (st.latex): math, not prose
            else:
                out.extend(_strings(proto, name))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


def _strip(text: str, data: list[str]) -> str:
    s = re.sub(r"<script.*?</script>", " ", text, flags=re.S)
    s = re.sub(r"<[^>]+>", " ", s)  # HTML tags (and plotly's <br>, <extra>)
    s = re.sub(r"%\{[^}]*\}", " ", s)  # plotly fields
    s = re.sub(r"`[^`]*`", " ", s)  # code
    s = re.sub(r"\$\$.*?\$\$|\$[^$]*\$", " ", s, flags=re.S)  # formulas
    s = re.sub(r"https?://\S+", " ", s)
    s = s.replace("\\", "")  # markdown escapes
    for d in data:  # whole words only: the gender "M" is not the M of "MRR"
        if d and d in s:
            s = re.sub(rf"(?<![A-Za-z0-9]){re.escape(d)}(?![A-Za-z0-9])", " ▯ ", s)
    # identifiers, parameters and paths are code: n_neighbors, efSearch, /path/to/ml-1m, cos(a_v^j, H_v)
    s = re.sub(r"\S*[_/]\S*|\b[a-z]+[A-Z]\w*|\b(cos|log|exp|sin|softmax)(?=\()", " ", s)
    return s


def english_runs(text: str, data: list[str]) -> list[str]:
    """Runs of four or more English words in ``text`` outside ``data`` (longest data strings first)."""
    return [m.group(0) for m in RUN.finditer(_strip(text, data))]


def data_strings(ds, model_names) -> list[str]:
    """The data a page may show as it is: titles, item labels, genres, ids, demographics, model names, field
    and column names, the dataset's name and folder; longest first (so a title is removed before its words)."""
    out = set(map(str, model_names)) | {"mostpop", "transition", "ease"}  # the reference rows are names too
    items = ds.items
    for col in items.columns:
        if items[col].dtype == object:
            for v in items[col].dropna():
                out.update(map(str, v) if isinstance(v, (list, tuple)) else [str(v)])
    out.update(ds.item_label(r) for r in range(ds.n_items))
    for col in ds.users.columns:
        out.update(str(v) for v in ds.users[col].dropna().unique())
    out.update(map(str, ds.genres))
    out.update([str(ds.name), str(ds.key), *map(str, items.columns), *map(str, ds.users.columns)])
    return sorted((s for s in out if s.strip()), key=len, reverse=True)


#: Where a text is a name or label (a heading, a widget's label, help or placeholder, a tab, an expander, a
#: metric, a button, a column header, a chart's title or axis): in Chinese it must hold Chinese, whatever its
#: length, unless it is only data, symbols and the terms the glossary keeps in English.
LABEL_WHERE = re.compile(r"(Heading\.body|\.label$|\.help$|\.placeholder$|Tab\.label|Expandable\.label|"
                         r"Metric\.label|column\[.*\]\.(label|help)|layout\.title|axis\d*\.title|colorbar|"
                         r"legend\.title|annotation)")


def untranslated_label(where: str, text: str, data: list[str], kept: tuple[str, ...]) -> list[str]:
    """The English words of a label-like ``text`` (:data:`LABEL_WHERE`) that has no Chinese, outside ``data``
    and ``kept`` (the glossary's words kept in English); empty when the text is fine."""
    if not LABEL_WHERE.search(where) or HAN.search(text):
        return []
    if where.endswith(".placeholder") and not re.search(r"\s", text.strip()):
        return []  # an example value to type (a store name is ASCII: "my-vectors")
    s = _strip(text, data)
    for term in sorted(kept, key=len, reverse=True):
        s = re.sub(rf"(?<![A-Za-z]){re.escape(term)}(?![A-Za-z])", " ", s, flags=re.I)
    return [w for w in re.findall(WORD, s) if len(w) > 1]
