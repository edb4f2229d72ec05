import plotly.graph_objects as go
import streamlit as st

from artcore import classify, embed, ui
from artcore.config import SHARED_ARTDATA
from artcore.errors import UserError
from artcore.imageio import open_image
from artcore.library import LABEL_FIELDS

lib = ui.library()
st.title("Which artist?")
st.caption("Upload a painting: the model names the artists it resembles most and shows the closest works it knows.")

counts = {f: lib.label_counts(f) for f in LABEL_FIELDS}
fields = [f for f in LABEL_FIELDS if len(counts[f]) >= 2] or ["artist"]
field = st.sidebar.selectbox("Label to predict", fields, key="resemble_field")
model_path = classify.default_model_path(lib, field)


def train(source: str) -> None:
    bar = ui.Progress("Embedding paintings…")
    try:
        classify.train_app_model(lib, field, source, progress=bar)
    except UserError as exc:
        st.error(str(exc))
    finally:
        bar.clear()


with st.sidebar:
    sources = (["library"] if len(counts[field]) >= 2 else []) + (["sample"] if SHARED_ARTDATA.is_dir() else [])
    if sources:
        source = st.radio("Train on", sources, key="resemble_source", format_func={
            "library": f"this library's {field} labels ({sum(counts[field].values())} images)",
            "sample": "the sample set (10 impressionists)"}.get)  # fmt: skip
        label = "Retrain" if model_path.is_file() else "Train the model"
        if st.button(label, key="resemble_train", type="secondary" if model_path.is_file() else "primary"):
            train(source)

if not model_path.is_file():
    st.info(f"No {field} model yet. Train one in one click with the button in the sidebar "
            "(it embeds each painting once, then cross-validates; about a minute for 100 paintings).")  # fmt: skip
    st.stop()

model = ui.classifier(str(model_path), model_path.stat().st_mtime)
meta, cv = model.meta, model.meta["cv"]
st.warning(
    f"This model only knows **{len(meta['labels'])} {field}s** and was trained on {cv['n']} images "
    f"({meta['source']}). Cross-validated accuracy: **top-1 {cv['top1']:.0%}**, top-3 {cv['top3']:.0%}. "
    "A painting by anyone else still gets one of these names: read the result as “closest of these”, not as "
    "an attribution."
)
if meta.get("left_out"):
    st.caption(f"Left out (fewer than {meta['min_per_label']} images each): "
               + ", ".join(f"{k} ({v})" for k, v in meta["left_out"].items()))  # fmt: skip
with st.expander("What the model knows"):
    st.dataframe([{field: k, "images": v, "CV top-1": f"{cv['per_class'][k]['top1']:.0%}"}
                  for k, v in meta["counts"].items()], hide_index=True)  # fmt: skip

up = st.file_uploader("A painting", type=["jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff", "gif"],
                      key="resemble_upload")  # fmt: skip
records = lib.records()
pick = None
if records and up is None:
    names = {r["sha256"]: f"{r.get(field) or '—'} · {r['path'].rsplit('/', 1)[-1]}" for r in records}
    pick = st.selectbox("…or pick one from the library", [None, *names], format_func=lambda s: names.get(s, "—"),
                        key="resemble_pick")  # fmt: skip
if up is None and pick is None:
    st.stop()

try:
    image = open_image(up.getvalue() if up is not None else next(r["path"] for r in records if r["sha256"] == pick))
    x = embed.embed_one(image, model.encoder)
except UserError as exc:
    st.error(f"Cannot use this image: {exc}")
    st.stop()
result = classify.predict_embeddings(model, x[None], [up.name if up else pick])[0]
best = result["top"][0]["label"]

left, right = st.columns([1, 2])
left.image(image, width="stretch")
bars = go.Figure(go.Bar(x=[t["prob"] for t in result["top"]][::-1], y=[t["label"] for t in result["top"]][::-1],
                        orientation="h", text=[f"{t['prob']:.0%}" for t in result["top"]][::-1]))  # fmt: skip
bars.update_layout(height=300, margin={"l": 0, "r": 0, "t": 30, "b": 0}, title=f"Top {len(result['top'])} {field}s",
                   xaxis={"range": [0, 1], "tickformat": ".0%"})  # fmt: skip
right.plotly_chart(bars, width="stretch", key="resemble_bars")

st.subheader("Why")
st.markdown("\n".join(f"- {line}" for line in classify.why(model, x, image, result)))
st.caption("Closeness per feature group: mean cosine similarity of each label's three most similar training works.")

facts = lib.artist_facts(best) if field == "artist" else None
if facts:
    st.subheader(best)
    st.markdown(" · ".join(str(facts[k]) for k in ("years", "nationality", "genre") if facts.get(k)))
    if facts.get("bio"):
        st.caption(facts["bio"][:600])

st.subheader("Most similar works")
cols = st.columns(6)
for i, s in enumerate(result["similar"]):
    try:
        cols[i % 6].image(open_image(s["path"], max_side=256), caption=f"{s['label']} · {s['score']:.2f}", width="stretch")
    except UserError:
        cols[i % 6].caption(f"{s['label']} · {s['score']:.2f} (image no longer at {s['path']})")
