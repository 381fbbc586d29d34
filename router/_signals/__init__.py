"""What routing measures of a task: the signals, and the detectors behind them.

Each signal implements the ``Signal`` protocol of ``_signal.py`` in a module of its own
(``_tokens_signal.py``, ``_language_signal.py``, ``_sensitivity_signal.py``) and is
registered there; the detectors they use sit behind small interfaces of their own
(``LanguageDetector``, ``Detector``) so a stronger implementation can replace the default.
"""
