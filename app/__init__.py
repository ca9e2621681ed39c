"""cptnlp Streamlit front end: pages call the library; render.py turns reports into escaped HTML."""
