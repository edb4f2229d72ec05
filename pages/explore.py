import html

import streamlit as st

from artcore import eda, ui
from artcore.library import LABEL_FIELDS

LABELS_AT_ONCE = 12  # painters drawn with their pictures before "Show 12 more": the page opens fast at any number
DOUBLES_AT_ONCE = 5

lib = ui.library()
root, version = str(lib.root), lib.version()
st.title("Explore your collection")
st.markdown("Your collection laid out like on a big table: **the palette and a few pictures of each artist** (or "
            "genre, or style), then how light and colourful they are, the colours they use, and any doubles. "
            "Narrow it down in the sidebar.")  # fmt: skip
if not lib.count():
    st.info("The library is empty: import images on the **Library** page first.")
    st.stop()

with st.sidebar:  # the choices from SQL counts: no catalog rows are read to draw them
    st.header("Show")
    labels = {f: lib.label_counts(f) for f in LABEL_FIELDS}
    present = [f for f in LABEL_FIELDS if labels[f]] or list(LABEL_FIELDS)
    field = st.selectbox("Group by", LABEL_FIELDS, index=LABEL_FIELDS.index(present[0]))
    values = st.multiselect(f"Only these {field}s", list(labels[field]), placeholder=f"all {field}s")
    sources = st.multiselect("Only pictures from", lib.sources(), placeholder="anywhere")
s = ui.eda_summary(root, version, tuple(sources), field, tuple(values))
if s["unlabelled"]:
    st.caption(f"{s['unlabelled']} images have no {field} label and are left out; group by another label to see them.")
if not s["images"]:
    st.warning("No images match this choice.")
    st.stop()
skipped = lib.skipped()

c = st.columns(4)
c[0].metric("Images", f"{s['images']:,}")
c[1].metric(f"{field.capitalize()}s", s["labels"])
c[2].metric("Typical size (px)", s["median_size"], help="Half the pictures are smaller, half larger.")
c[3].metric("Files that could not be read", len(skipped))
if s["notes"]:
    st.caption(" ".join(s["notes"]))  # what the charts left out would have shown: one value each

st.subheader(f"Each {field}: its palette and a few pictures")
st.caption(f"The palette is its six main colours, each as wide as its share of the pictures. The {field}s with the "
           "most pictures come first.")  # fmt: skip
choice = (field, tuple(values), tuple(sources))  # a new choice in the sidebar starts again from the first ones


def label_section(label: str) -> None:
    ui.contact_sheet(lib, s["samples"][label], title=f"<b>{html.escape(label)}</b> · {s['label_sizes'][label]:,} images",
                     swatches=s["palettes"][label])  # fmt: skip


ui.in_batches("explore_labels", list(s["label_sizes"]), LABELS_AT_ONCE, label_section, f"{field}s", reset_on=choice,
              hint=f"To see one, choose it under “Only these {field}s” in the sidebar.")  # fmt: skip

st.subheader("In numbers")
if s["chart_labels"] < len(s["label_sizes"]):
    st.caption(f"The colour charts show the {s['chart_labels']} {field}s with the most pictures; to see others, "
               f"choose them under “Only these {field}s” in the sidebar.")  # fmt: skip
for chart in ([s["counts"]] if s["counts"] is not None else []) + s["figures"]:
    st.markdown(chart, unsafe_allow_html=True)  # SVG (see artcore.charts), which st.html would strip

st.subheader("Pictures that appear twice")
if not s["near_duplicates"]:
    st.caption("None: no two pictures look the same.")
else:
    st.caption("Each row is one picture found more than once (resized or recompressed copies count).")
ui.in_batches("explore_doubles", s["near_duplicates"], DOUBLES_AT_ONCE, reset_on=choice, noun="doubles",
              draw=lambda group: ui.contact_sheet(lib, [{"sha256": sha} for sha in group[:6]]))  # fmt: skip

st.subheader("Files that could not be imported")
if skipped:
    st.dataframe(eda.skipped_rows(skipped), hide_index=True, width="stretch")
else:
    st.caption("None.")

with st.expander("Advanced", key="explore_advanced", on_change="rerun") as advanced:
    st.caption(f"Sizes, shapes and file types, and the spread of brightness and saturation within each {field} "
               f"(box plots). {s['megapixels']:,.0f} megapixels in all.")  # fmt: skip
    if advanced.open:  # its charts are drawn when it is opened, not for everyone who opens the page
        cols = st.columns(2)
        for i, fig in enumerate(s["advanced"]):
            cols[i % 2].plotly_chart(fig, width="stretch")
