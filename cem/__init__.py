"""CEM journey-mapping domain package. Never imports streamlit."""
