import streamlit as st

from artcore import eda, ui
from artcore.library import LABEL_FIELDS

lib = ui.library()
root, version = str(lib.root), lib.version()
st.title("Explore your collection")
df_all = ui.eda_frame(root, version)
if df_all.empty:
    st.info("The library is empty: import images on the **Library** page first.")
    st.stop()

with st.sidebar:
    st.header("Filter")
    sources = st.multiselect("Sources", sorted(df_all["source"].unique()), placeholder="all sources")
    present = [f for f in LABEL_FIELDS if df_all[f].notna().any()] or list(LABEL_FIELDS)
    field = st.selectbox("Group by", LABEL_FIELDS, index=LABEL_FIELDS.index(present[0]))
    values = st.multiselect(field.capitalize(), list(eda.counts(eda.filtered(df_all, field=field), field).index),
                            placeholder=f"all {field}s")  # fmt: skip
s = ui.eda_summary(root, version, tuple(sources), field, tuple(values))
if s["unlabelled"]:
    st.caption(f"{s['unlabelled']} images have no {field} label and are left out; group by another label to see them.")
if not s["images"]:
    st.warning("No images match this filter.")
    st.stop()

c = st.columns(5)
c[0].metric("Images", s["images"])
c[1].metric(f"{field.capitalize()}s", s["labels"])
c[2].metric("Median size", s["median_size"])
c[3].metric("Megapixels", f"{s['megapixels']:.0f}")
c[4].metric("Skipped files", len(lib.skipped()))

st.plotly_chart(s["counts"], width="stretch")
cols = st.columns(2)
for i, fig in enumerate(s["figures"]):
    cols[i % 2].plotly_chart(fig, width="stretch")

st.subheader(f"Dominant palette of each {field}")
for label, swatches in s["palettes"].items():
    st.html(eda.palette_html(label, swatches))

st.subheader(f"Sample of each {field}")
for label, rows in s["samples"].items():
    st.markdown(f"**{label}** · {s['label_sizes'][label]} images")
    ui.thumbnail_grid(lib, rows, columns=6)

st.subheader("Near-duplicates")
if not s["near_duplicates"]:
    st.caption("No near-duplicate images found.")
for group in s["near_duplicates"][:20]:
    ui.thumbnail_grid(lib, [{"sha256": sha} for sha in group[:6]], columns=6)

st.subheader("Files that could not be imported")
skipped = lib.skipped()
if skipped:
    st.dataframe(skipped, hide_index=True, width="stretch")
else:
    st.caption("None.")
