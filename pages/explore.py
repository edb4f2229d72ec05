import streamlit as st

from artcore import eda, ui
from artcore.library import LABEL_FIELDS

lib = ui.library()
st.title("Explore your collection")
df_all = eda.frame(ui.records_with_stats(str(lib.root), lib.version()))
if df_all.empty:
    st.info("The library is empty: import images on the **Library** page first.")
    st.stop()

with st.sidebar:
    st.header("Filter")
    sources = st.multiselect("Sources", sorted(df_all["source"].unique()), placeholder="all sources")
    field = st.selectbox("Group by", LABEL_FIELDS, index=next((i for i, f in enumerate(LABEL_FIELDS)
                                                               if df_all[f].notna().any()), 0))  # fmt: skip
    values = st.multiselect(field.capitalize(), list(eda.counts(df_all, field).index), placeholder=f"all {field}s")
df = eda.filtered(df_all, sources, field, values)
unlabelled = len(eda.filtered(df_all, sources)) - len(eda.filtered(df_all, sources, field))
if unlabelled:
    st.caption(f"{unlabelled} images have no {field} label and are left out; group by another label to see them.")
if df.empty:
    st.warning("No images match this filter.")
    st.stop()

c = st.columns(5)
c[0].metric("Images", len(df))
c[1].metric(f"{field.capitalize()}s", df[field].nunique())
c[2].metric("Median size", f"{int(df['width'].median())}×{int(df['height'].median())}")
c[3].metric("Megapixels", f"{df['megapixels'].sum():.0f}")
c[4].metric("Skipped files", len(lib.skipped()))

st.plotly_chart(eda.fig_counts(df, field), width="stretch")
left, right = st.columns(2)
left.plotly_chart(eda.fig_sizes(df), width="stretch")
right.plotly_chart(eda.fig_aspect(df), width="stretch")
left.plotly_chart(eda.fig_colour_by_label(df, field, "brightness"), width="stretch")
right.plotly_chart(eda.fig_colour_by_label(df, field, "saturation"), width="stretch")
left.plotly_chart(eda.fig_hue(df, field), width="stretch")
right.plotly_chart(eda.fig_formats(df), width="stretch")

st.subheader(f"Dominant palette of each {field}")
for label, swatches in eda.label_palettes(df, field).items():
    st.html(eda.palette_html(label, swatches))

st.subheader("Sample of each " + field)
for label, rows in eda.samples_per_label(df, field).items():
    st.markdown(f"**{label}** · {int((eda.label_column(df, field) == label).sum())} images")
    ui.thumbnail_grid(lib, rows, columns=6)

st.subheader("Near-duplicates")
groups = eda.near_duplicate_groups(df)
if not groups:
    st.caption("No near-duplicate images found.")
for group in groups[:20]:
    ui.thumbnail_grid(lib, [{"sha256": s} for s in group[:6]], columns=6)
st.subheader("Files that could not be imported")
skipped = lib.skipped()
if skipped:
    st.dataframe(skipped, hide_index=True, width="stretch")
else:
    st.caption("None.")
