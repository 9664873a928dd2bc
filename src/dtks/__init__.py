"""dtks: Data Terpadu Kesejahteraan Sosial for a Dinas Sosial kabupaten/kota."""

__version__ = "0.1.0"
