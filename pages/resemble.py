import plotly.graph_objects as go
import streamlit as st

from artcore import classify, ui, whichartist
from artcore.config import SHARED_ARTDATA
from artcore.errors import UserError, sentence
from artcore.imageio import open_image
from artcore.library import LABEL_FIELDS

lib = ui.library()
st.title("Which artist?")
st.caption("Upload a painting: see which painters it resembles most, the movements it looks like, and who the "
           "closest painter was.")  # fmt: skip

counts = {f: lib.label_counts(f) for f in LABEL_FIELDS}
fields = [f for f in LABEL_FIELDS if len(counts[f]) >= 2] or ["artist"]

with st.sidebar:
    st.header("Your library's model")
    st.caption("Optional: train a model on your own labels, to ask which of *your* artists a painting is closest to.")
    field = st.selectbox("Label to predict", fields, key="resemble_field")
    model_path = classify.default_model_path(lib, field)
    sources = (["library"] if len(counts[field]) >= 2 else []) + (["sample"] if SHARED_ARTDATA.is_dir() else [])
    if sources:
        source = st.radio("Train on", sources, key="resemble_source", format_func={
            "library": f"this library's {field} labels ({sum(counts[field].values())} images)",
            "sample": "the sample set (10 impressionists)"}.get)  # fmt: skip
        label = "Retrain" if model_path.is_file() else "Train the model"
        training = ui.board().find("which-artist", field=field)
        if ui.teacher_unlocked("train a model", "resemble") and st.button(
                label, key="resemble_train", type="secondary", disabled=bool(training)):  # fmt: skip
            ui.start_job("which-artist", {"field": field, "source": source}, f"Training the {field} model")
            st.rerun()

training = ui.board().find("which-artist", field=field)
if training:
    ui.job_progress(training.id, f"Training your library's {field} model: reading each picture, then learning")

try:
    art_meta = ui.model("artnet-onnx")[1]
except UserError as exc:
    st.error(sentence(exc))
    st.stop()
n_painters = len(art_meta["painters"])
noun = "painter" if field == "artist" else field

mode = "builtin"
if model_path.is_file():
    # The library's own model is what a user who trained one wants to ask first.
    mode = st.radio("Answer with", ["builtin", "library"], index=1, horizontal=True, key="resemble_mode",
                    format_func={"builtin": f"Built-in painters ({n_painters})",
                                 "library": f"Your library's {field}s"}.get)  # fmt: skip

if mode == "builtin":
    st.info(f"{whichartist.builtin_summary(art_meta)}. A painting by anyone else still gets one of these names: "
            "read the answer as “closest of these”, not as an attribution.", icon=":material/school:")  # fmt: skip
    with st.expander(f"The {n_painters} painters it knows"):
        st.markdown(" · ".join(whichartist.builtin_painters(art_meta)))
else:
    model = ui.classifier(str(model_path), model_path.stat().st_mtime)
    meta, cv = model.meta, model.meta["cv"]
    st.info(
        f"This model only knows **{len(meta['labels'])} {field}s** and was trained on {cv['n']} images "
        f"({meta['source']}). Cross-validated accuracy: **top-1 {cv['top1']:.0%}**, top-3 {cv['top3']:.0%}. "
        "Read the result as “closest of these”, not as an attribution.", icon=":material/school:"
    )  # fmt: skip
    note = whichartist.unseen_note(meta["labels"], art_meta) if field == "artist" else None
    if note:
        st.caption(note)
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
    picture = up.getvalue() if up is not None else next(r["path"] for r in records if r["sha256"] == pick)
    image = whichartist.load_picture(picture, up.name if up is not None else None)
    if mode == "builtin":
        answer = whichartist.builtin_answer(image, art_meta, lib)
        facts = answer["facts"]
    else:
        x, answer = whichartist.library_answer(model, image, picture)
        facts = whichartist.painter_facts(answer["top"][0]["label"], art_meta, lib) if field == "artist" else None
except UserError as exc:
    st.error(sentence(exc))
    st.stop()

if mode == "library" and not answer["known"]:
    st.warning(f"**Not close to any {noun} this model knows; nearest: {answer['nearest']}.** The bars below only "
               "say which of its labels is the least far.", icon=":material/help:")  # fmt: skip

top = answer["top"]
left, right = st.columns([2, 3], gap="large")
left.image(image, width="stretch")
bars = go.Figure(go.Bar(x=[t["prob"] for t in top][::-1], y=[t["label"] for t in top][::-1], orientation="h",
                        text=[f"{t['prob']:.0%}" for t in top][::-1], textposition="auto",
                        marker_color=["#c9b79c"] * (len(top) - 1) + ["#8c4b2f"], hoverinfo="skip"))  # fmt: skip
bars.update_layout(height=280, margin={"l": 0, "r": 10, "t": 40, "b": 0}, title=f"Top {len(top)} {noun}s",
                   xaxis={"range": [0, 1], "tickformat": ".0%"},
                   yaxis={"automargin": True, "tickfont": {"size": 14}})  # fmt: skip
right.plotly_chart(bars, width="stretch", key="resemble_bars")
if mode == "builtin":
    if top[0]["prob"] < 0.3:
        right.caption("No painter stands out: the picture may be by someone the model has never seen.")
    looks = answer["movements"]
    right.markdown("**Looks like:** " + (", ".join(f"{m['label']} ({m['prob']:.0%})" for m in looks)
                                         if looks else "no movement stands out"))  # fmt: skip

if facts:
    with st.container(border=True):
        st.subheader(facts["name"])
        st.markdown(" · ".join(f"**{facts[k]}**" if k == "movement" else facts[k]
                               for k in ("years", "movement", "nationality") if facts[k]))  # fmt: skip
        if facts["bio"]:
            st.markdown(facts["bio"])
        if facts["wikipedia"]:
            st.markdown(f"[Read more on Wikipedia]({facts['wikipedia']})")

if mode == "library":
    st.subheader("Why")
    st.markdown("\n".join(f"- {line}" for line in whichartist.why(model, x, image, answer)))
    st.caption("A label's closeness is that of its three works most like this picture.")

    st.subheader("Most similar works")
    cols = st.columns(6)
    for i, s in enumerate(answer["similar"]):
        try:
            cols[i % 6].image(open_image(s["path"], max_side=256), caption=f"{s['label']} · {s['score']:.2f}",
                              width="stretch")  # fmt: skip
        except UserError:
            cols[i % 6].caption(f"{s['label']} · {s['score']:.2f} (image file missing)")

st.subheader("Is it original?")
st.caption("Compare your painting with every work in the library: is it a copy of one (even re-saved, cropped or "
           "recoloured), close to one, or your own?")  # fmt: skip
ui.originality_check(image, "resemble", label="Compare with the library")

ui.suggested_styles(image, lib, key="resemble")
