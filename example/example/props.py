"""The props of the example's islands, declared once: `manage.py duet types` writes them to
frontend/src/duet/props.ts (the components' types), and in development the tags check what the
views pass against them (docs/types.md)."""

from typing import TypedDict

from django_duet.contract.props import props


@props("Greeting")
class GreetingProps(TypedDict):
    name: str
    items: list[str]


@props("Stock")
class StockProps(TypedDict):
    item: str
    count: int


class Product(TypedDict):
    slug: str
    name: str
    summary: str
    priceCents: int
    features: list[str]


@props("ProductPage")  # the SSR page ({% duet_render "ProductPage" %})
class ProductPageProps(TypedDict):
    product: Product
    canonicalUrl: str
