import streamlit as st

from artcore import eda, ui
from artcore.library import LABEL_FIELDS

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
st.caption("The palette is its six main colours, each as wide as its share of the pictures.")
for label, rows in s["samples"].items():
    st.markdown(f"**{label}** · {s['label_sizes'][label]} images")
    st.html(eda.palette_html("", s["palettes"][label], height=18))
    ui.thumbnail_grid(lib, rows, columns=6)

st.subheader("In numbers")
if s["counts"] is not None:
    st.plotly_chart(s["counts"], width="stretch")
for fig in s["figures"]:
    st.plotly_chart(fig, width="stretch")

st.subheader("Pictures that appear twice")
if not s["near_duplicates"]:
    st.caption("None: no two pictures look the same.")
else:
    st.caption("Each row is one picture found more than once (resized or recompressed copies count).")
for group in s["near_duplicates"][:20]:
    ui.thumbnail_grid(lib, [{"sha256": sha} for sha in group[:6]], columns=6)

st.subheader("Files that could not be imported")
if skipped:
    st.dataframe(eda.skipped_rows(skipped), hide_index=True, width="stretch")
else:
    st.caption("None.")

with st.expander("Advanced"):
    st.caption(f"Sizes, shapes and file types, and the spread of brightness and saturation within each {field} "
               f"(box plots). {s['megapixels']:,.0f} megapixels in all.")  # fmt: skip
    cols = st.columns(2)
    for i, fig in enumerate(s["advanced"]):
        cols[i % 2].plotly_chart(fig, width="stretch")
