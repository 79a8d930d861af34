"""Every product URL, plus one constant page that exists only for the agenda benchmark (never in the product)."""

from django.http import HttpResponse
from django.urls import include, path

# about the size of a small page of ours, written once
CONSTANT_PAGE = (
    "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>常量页</title></head><body>"
    + "<p>组织部干部工作系统</p>" * 50
    + "</body></html>"
).encode()


def constant_page(request):
    return HttpResponse(CONSTANT_PAGE)


urlpatterns = [
    path("bench/constant/", constant_page),
    path("", include("orgdept.urls")),
]
