"""The three signals routing measures: tokens, language and sensitivity.

Each sits behind a small interface (``TokenCounter``, ``LanguageDetector``,
``Detector``) so a stronger implementation can replace the default.
"""
