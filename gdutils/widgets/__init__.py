"""Interactive explorers (ipywidgets), one module per chapter; ipywidgets is imported only here.

Each explorer has a static twin in its chapter (an animation) for readers of the HTML.
"""
