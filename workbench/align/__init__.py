"""Sentence alignment: scoring (chrF, anchors), parallel and comparable modes, evaluation."""
