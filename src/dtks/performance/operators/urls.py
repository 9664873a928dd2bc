"""Village operator scorecards (routes inside the performance namespace)."""

urlpatterns: list = []
