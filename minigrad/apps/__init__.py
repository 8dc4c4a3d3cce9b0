"""Applications built on minigrad: the chapter, its tour (``python -m minigrad``) and the digits trainer."""
