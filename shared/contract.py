"""Pydantic models of the public contract: what the gateway's clients send and receive.

Services validate input with these models and the gateway documents them in its OpenAPI
schema, so one definition serves both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, model_validator

PaymentMethod = Literal["cod", "zelle"]
OrderStatus = Literal[
    "pending", "accepted", "rejected", "preparing", "out_for_delivery", "delivered", "cancelled"
]
PaymentStatus = Literal["pending", "received"]
FieldType = Literal["text", "number", "select", "checkbox"]


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Trim surrounding white space and refuse control characters; everything else is kept."""
    value = value.strip()
    allowed = "\n\t\r" if multiline else ""
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
        raise ValueError("must not contain control characters")
    return value


def _text_rule(max_length: int, *, required: bool, multiline: bool) -> Callable[[str], str]:
    def check(value: str) -> str:
        value = clean_text(value, multiline=multiline)
        if required and not value:
            raise ValueError("must not be empty")
        if len(value) > max_length:
            raise ValueError(f"must be at most {max_length} characters")
        return value

    return check


def text_rule(max_length: int, *, required: bool = False, multiline: bool = False) -> AfterValidator:
    """Trimmed, no control characters, at most `max_length` characters (and non-empty if required)."""
    return AfterValidator(_text_rule(max_length, required=required, multiline=multiline))


PersonName = Annotated[str, text_rule(100, required=True)]
BusinessName = Annotated[str, text_rule(100, required=True)]
Phone = Annotated[str, text_rule(30, required=True)]
OptionalPhone = Annotated[str, text_rule(30)]
AddressLine = Annotated[str, text_rule(200)]
RequiredAddressLine = Annotated[str, text_rule(200, required=True)]
PostalCode = Annotated[str, text_rule(20)]
Instructions = Annotated[str, text_rule(500, multiline=True)]
ProductName = Annotated[str, text_rule(120, required=True)]
Description = Annotated[str, text_rule(2000, multiline=True)]
Label = Annotated[str, text_rule(100, required=True)]
Reason = Annotated[str, text_rule(500, multiline=True)]
ZelleHandle = Annotated[str, text_rule(100)]
SLUG_PATTERN = r"^[a-z0-9-]{3,40}$"
FIELD_KEY_PATTERN = r"^[a-z0-9_]{1,40}$"
PHONE_DIGITS = re.compile(r"\d")


def phone_digit_count(phone: str) -> int:
    return len(PHONE_DIGITS.findall(phone))


def _customer_phone(value: str) -> str:
    if not 7 <= phone_digit_count(value) <= 15:
        raise ValueError("must have 7 to 15 digits")
    return value


CustomerPhone = Annotated[Phone, AfterValidator(_customer_phone)]


class ContractModel(BaseModel):
    model_config = ConfigDict(extra="ignore")


# --- sellers -------------------------------------------------------------------------


class SignupIn(ContractModel):
    email: Annotated[str, text_rule(254, required=True)]
    password: str = Field(min_length=8, max_length=256)
    business_name: BusinessName
    slug: str | None = Field(default=None, pattern=SLUG_PATTERN)
    phone: OptionalPhone | None = None

    @model_validator(mode="after")
    def _email_shape(self) -> SignupIn:
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", self.email):
            raise ValueError("email must be an email address")
        self.email = self.email.lower()
        return self


class LoginIn(ContractModel):
    # No control characters: signup refuses them, and PostgreSQL cannot even compare a NUL.
    email: Annotated[str, text_rule(254)]
    password: str = Field(max_length=256)


class Seller(ContractModel):
    id: str
    email: str
    business_name: str
    slug: str
    phone: str | None
    realtime_enabled: bool
    accepting_orders: bool
    payment_methods: list[PaymentMethod]
    zelle_handle: str | None
    currency: str
    timezone: str
    storefront_url: str


class SignupOut(ContractModel):
    seller: Seller
    access_token: str


class TokenOut(ContractModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"


class SellerPatch(ContractModel):
    model_config = ConfigDict(extra="forbid")

    business_name: BusinessName | None = None
    phone: OptionalPhone | None = None
    realtime_enabled: StrictBool | None = None
    accepting_orders: StrictBool | None = None
    payment_methods: list[PaymentMethod] | None = Field(default=None, min_length=1)
    zelle_handle: ZelleHandle | None = None
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    timezone: str | None = Field(default=None, max_length=64)


# --- products ------------------------------------------------------------------------


class CustomField(ContractModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=FIELD_KEY_PATTERN)
    label: Label
    type: FieldType
    required: StrictBool = False
    options: list[Label] | None = None
    max_length: int | None = Field(default=None, ge=1, le=2000)
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _fits_its_type(self) -> CustomField:
        if self.type == "select":
            if not self.options:
                raise ValueError("a select field needs a non-empty list of options")
            if len(set(self.options)) != len(self.options):
                raise ValueError("select options must be unique")
        elif self.options is not None:
            raise ValueError("only a select field has options")
        if self.type == "text":
            if self.max_length is None:
                self.max_length = 200
        elif self.max_length is not None:
            raise ValueError("only a text field has max_length")
        if self.type != "number" and (self.min is not None or self.max is not None):
            raise ValueError("only a number field has min and max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not be greater than max")
        return self


def _unique_keys(fields: list[CustomField]) -> list[CustomField]:
    keys = [f.key for f in fields]
    if len(set(keys)) != len(keys):
        raise ValueError("custom field keys must be unique within a product")
    return fields


CustomFields = Annotated[list[CustomField], AfterValidator(_unique_keys), Field(max_length=30)]


class ProductIn(ContractModel):
    model_config = ConfigDict(extra="forbid")

    name: ProductName
    description: Description = ""
    price_cents: int = Field(gt=0, le=100_000_000, strict=True)
    available: StrictBool = True
    custom_fields: CustomFields = Field(default_factory=list)


class ProductPatch(ContractModel):
    model_config = ConfigDict(extra="forbid")

    name: ProductName | None = None
    description: Description | None = None
    price_cents: int | None = Field(default=None, gt=0, le=100_000_000, strict=True)
    available: StrictBool | None = None
    custom_fields: CustomFields | None = None


class Product(ContractModel):
    id: str
    name: str
    description: str
    price_cents: int
    available: bool
    custom_fields: list[CustomField]


class ProductList(ContractModel):
    products: list[Product]


class StorefrontSeller(ContractModel):
    business_name: str
    slug: str
    phone: str | None
    accepting_orders: bool
    payment_methods: list[PaymentMethod]
    zelle_handle: str | None
    currency: str


class Storefront(ContractModel):
    seller: StorefrontSeller
    products: list[Product]


# --- orders --------------------------------------------------------------------------


class CustomerIn(ContractModel):
    name: PersonName
    phone: CustomerPhone


class AddressIn(ContractModel):
    line1: RequiredAddressLine
    line2: AddressLine = ""
    city: RequiredAddressLine
    postal_code: PostalCode = ""
    instructions: Instructions = ""


class OrderItemIn(ContractModel):
    product_id: str = Field(min_length=1, max_length=100)
    quantity: int = Field(ge=1, le=99, strict=True)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class CheckoutIn(ContractModel):
    customer: CustomerIn
    delivery_address: AddressIn
    payment_method: PaymentMethod
    items: list[OrderItemIn] = Field(min_length=1, max_length=100)


class Customer(ContractModel):
    name: str
    phone: str


class Address(ContractModel):
    line1: str
    line2: str
    city: str
    postal_code: str
    instructions: str


class OrderItemField(ContractModel):
    key: str
    label: str
    value: Any


class OrderItem(ContractModel):
    product_id: str
    name: str
    quantity: int
    unit_price_cents: int
    line_total_cents: int
    custom_fields: list[OrderItemField]


class HistoryEntry(ContractModel):
    status: OrderStatus
    at: datetime
    reason: str | None = None


class OrderBase(ContractModel):
    id: str
    token_number: str
    status: OrderStatus
    payment_method: PaymentMethod
    payment_status: PaymentStatus
    payment_received_at: datetime | None
    customer: Customer
    delivery_address: Address
    items: list[OrderItem]
    total_cents: int
    currency: str
    created_at: datetime
    updated_at: datetime
    version: int
    history: list[HistoryEntry]


class Order(OrderBase):
    seller_id: str


class SellerContact(ContractModel):
    business_name: str
    phone: str | None


class PaymentInstructions(ContractModel):
    method: PaymentMethod
    amount_cents: int
    zelle_handle: str | None = None


class CustomerOrder(OrderBase):
    seller: SellerContact
    payment_instructions: PaymentInstructions


class CheckoutOut(ContractModel):
    order: CustomerOrder
    customer_key: str
    tracking_url: str


class OrderList(ContractModel):
    orders: list[Order]
    next_cursor: str | None
    head_seq: int


class StatusChangeIn(ContractModel):
    status: OrderStatus
    reason: Reason | None = None
    expected_version: int | None = Field(default=None, strict=True)


class PaymentChangeIn(ContractModel):
    status: Literal["received"]
    expected_version: int | None = Field(default=None, strict=True)


class ErrorOut(ContractModel):
    detail: Any


class ConflictOut(ContractModel):
    detail: str
    order: Order


def customer_view(order: dict[str, Any], seller: dict[str, Any], zelle_handle: str | None) -> dict[str, Any]:
    """The CustomerOrder JSON of an Order JSON: no seller_id, plus contact and payment instructions."""
    view = {k: v for k, v in order.items() if k != "seller_id"}
    view["seller"] = {"business_name": seller["business_name"], "phone": seller.get("phone")}
    instructions: dict[str, Any] = {"method": order["payment_method"], "amount_cents": order["total_cents"]}
    if order["payment_method"] == "zelle":
        instructions["zelle_handle"] = zelle_handle
    view["payment_instructions"] = instructions
    return view
