from django.urls import path

app_name = "appointments"
urlpatterns = [
    path("bestaetigen/<str:token>/", lambda r, token: None, name="confirm"),
    path("t/<str:token>/", lambda r, token: None, name="manage"),
]
