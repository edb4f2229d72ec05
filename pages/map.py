import streamlit as st

from artcore import embed, maps, ui
from artcore.errors import UserError, sentence
from artcore.library import LABEL_FIELDS

INLINE_MAX = 32  # fewer new pictures than this are read while the map is drawn; more go to a background job

lib = ui.library()
st.title("Map of your collection")
st.markdown("Every picture in your library as a dot on one map: **pictures that look alike sit together**. Drag a "
            "box over dots to see those pictures, or drop in a picture of yours to see where it lands.")  # fmt: skip

n = lib.count()
if n < maps.MIN_IMAGES:
    st.info(f"The map needs at least {maps.MIN_IMAGES} images; the library has {n}. Import images on the "
            "**Library** page first.")  # fmt: skip
    st.stop()

fields = [f for f in LABEL_FIELDS if lib.label_counts(f)] or ["artist"]
c1, c2 = st.columns([1, 2])
color = c1.selectbox("Colour the dots by", [*fields, "source"], key="map_color",
                     format_func=lambda f: "where they came from" if f == "source" else f)  # fmt: skip
with c2.expander("Advanced"):
    names = list(embed.ENCODERS)
    encoder = st.selectbox("How pictures are compared", names, index=names.index(embed.DEFAULT_ENCODER),
                           format_func=lambda e: maps.PLAIN_ENCODERS.get(e, e), key="map_encoder",
                           help="What makes two pictures count as alike. Another choice reads every picture once "
                                "more (a minute or so for a thousand pictures).")  # fmt: skip
    n_neighbors = st.slider("Look at: close detail ↔ the whole collection", 2, 100, 15, key="map_neighbors",
                            help="Small: small tight groups, the map shows fine detail. Large: the overall shape "
                                 "of the collection. (UMAP neighbours; default 15.)")  # fmt: skip
    min_dist = st.slider("How tightly alike pictures bunch up", 0.0, 0.99, 0.1, 0.01, key="map_min_dist",
                         help="Low: alike pictures pile up in tight clusters. High: dots spread out evenly. "
                              "(UMAP minimum distance; default 0.1.)")  # fmt: skip
    st.caption(f"Embedding `{encoder}` · {n_neighbors} neighbours · minimum distance {min_dist}")

# Reading many pictures takes minutes: that runs on the server as a background job, which outlives this tab.
reading = ui.board().find("embed", encoder=encoder)
if reading or embed.missing(lib, encoder) >= INLINE_MAX:
    if not reading:
        reading = ui.start_job("embed", {"encoder": encoder}, "Reading your pictures for the map")
    ui.job_progress(reading.id, "Reading your pictures so the map can place them (once; new pictures later are quick)")
    st.stop()

chart = st.container()  # the map goes here; its progress (first visit: reading every picture once) shows here too
try:
    m = ui.library_map(str(lib.root), lib.version(), encoder, n_neighbors, min_dist)
except UserError as exc:
    st.error(sentence(exc))
    st.stop()

up = st.file_uploader("Place a picture of yours on the map", key="map_upload",
                      type=["jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff", "gif"])  # fmt: skip
placed = near = None
picture = ui.picture(up.getvalue(), up.name, purpose="to place on the map", max_side=1024) if up else None
if picture is not None:
    try:
        with st.spinner("Finding where your picture belongs…"):
            placed, near = m.place(embed.embed_one(picture, encoder))
    except UserError as exc:
        st.error(sentence(exc))

with chart:
    event = st.plotly_chart(maps.figure(m, color, placed), width="stretch", key="map_chart", on_select="rerun",
                            selection_mode=("points", "box", "lasso"))  # fmt: skip
    st.caption(f"{len(m.records):,} images · compared by {maps.PLAIN_ENCODERS.get(encoder, encoder).split(':')[0]} · "
               "drag a box (or pick the lasso in the chart's toolbar) to see the pictures under it")  # fmt: skip

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
