from rest_framework.routers import SimpleRouter

from .api import PersonViewSet

app_name = "personal_test_api"

router = SimpleRouter()
router.register("people", PersonViewSet, basename="person")
urlpatterns = router.urls
