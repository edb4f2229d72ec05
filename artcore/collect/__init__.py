"""Collect images from the web into the library: Flickr (API) and Pinterest (headless Chromium).

``download`` holds what both share (bounded pool, retries, size cap, resume, report); ``flickr`` and
``pinterest`` only turn a query into candidates. Nothing here imports requests, flickrapi or selenium at
import time.
"""
