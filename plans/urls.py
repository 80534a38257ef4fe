"""The plans' pages: indicators and their figures, a unit's own plan."""

from django.urls import path

from kit import converters  # noqa: F401  (registers <id:...>)
from plans import views as plan_views

app_name = "plans"

urlpatterns = [
    path("plans/<id:pk>/indicators/", plan_views.plan_indicators, name="plan_indicators"),
    path("plans/<id:pk>/unit-plan/", plan_views.unit_plan_edit, name="unit_plan_edit"),
    path("indicators/<id:pk>/", plan_views.indicator_detail, name="indicator_detail"),
]
