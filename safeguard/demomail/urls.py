from django.urls import path

from safeguard.demomail import views

app_name = "demomail"
urlpatterns = [path("demo/mailbox/", views.mailbox, name="mailbox")]
