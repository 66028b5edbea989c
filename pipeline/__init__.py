"""Tổng hợp mô hình “Dân vận khéo”: the consolidation pipeline."""
