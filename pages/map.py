import streamlit as st

from artcore import embed, maps, ui
from artcore.errors import UserError, sentence
from artcore.library import LABEL_FIELDS

lib = ui.library()
st.title("Map of the library")
st.caption("Each dot is an image; images that look alike (by the chosen embedding) sit close together. "
           "Drag a box over dots (or pick the lasso in the chart toolbar) to see them.")  # fmt: skip

n = lib.count()
if n < maps.MIN_IMAGES:
    st.info(f"The map needs at least {maps.MIN_IMAGES} images; the library has {n}. Import images on the "
            "**Library** page first.")  # fmt: skip
    st.stop()

with st.sidebar:
    st.header("Map")
    encoder = st.selectbox("Embedding", list(embed.ENCODERS), index=list(embed.ENCODERS).index(embed.DEFAULT_ENCODER),
                           help="\n".join(f"- **{e.name}**: {e.about}" for e in embed.ENCODERS.values()), key="map_encoder")  # fmt: skip
    n_neighbors = st.slider("Neighbours", 2, 100, 15, key="map_neighbors",
                            help="small: local detail; large: the global shape of the collection")  # fmt: skip
    min_dist = st.slider("Minimum distance", 0.0, 0.99, 0.1, 0.01, key="map_min_dist",
                         help="how tightly similar images may pack together")  # fmt: skip
    fields = [f for f in LABEL_FIELDS if lib.label_counts(f)] or ["artist"]
    color = st.selectbox("Colour by", [*fields, "source"], key="map_color")

try:
    m = ui.library_map(str(lib.root), lib.version(), encoder, n_neighbors, min_dist)
except UserError as exc:
    st.error(sentence(exc))
    st.stop()

up = st.file_uploader("Place an image on the map", type=["jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff", "gif"],
                      key="map_upload")  # fmt: skip
placed = near = None
picture = ui.picture(up.getvalue(), up.name, purpose="to place on the map", max_side=1024) if up else None
if picture is not None:
    try:
        placed, near = m.place(embed.embed_one(picture, encoder))
    except UserError as exc:
        st.error(sentence(exc))

event = st.plotly_chart(maps.figure(m, color, placed), width="stretch", key="map_chart", on_select="rerun",
                        selection_mode=("points", "box", "lasso"))  # fmt: skip
st.caption(f"{len(m.records)} images · {encoder} · {n_neighbors} neighbours · min distance {min_dist}")

if near is not None:
    st.subheader("Your image's nearest neighbours")
    ui.thumbnail_grid(lib, [m.records[i] for i in near[:6]], columns=6, caption_field=color)

chosen = sorted({int(p["customdata"]) for p in (event.selection.points if event else []) if "customdata" in p})
if chosen:
    st.subheader(f"{len(chosen)} selected")
    ui.thumbnail_grid(lib, [m.records[i] for i in chosen[:24]], columns=6, caption_field=color)
    rows = [{k: m.records[i].get(k) for k in ("artist", "genre", "style", "source", "width", "height", "original")}
            for i in chosen]  # fmt: skip
    st.dataframe(rows, hide_index=True, width="stretch")
    if len(chosen) > 24:
        st.caption(f"Showing 24 of {len(chosen)} thumbnails; the table lists them all.")
