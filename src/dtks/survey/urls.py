"""The public satisfaction survey (IKM) under /ikm/."""

app_name = "survey"
urlpatterns: list = []
