"""Money: integer minor units and an ISO 4217 currency. Never floats, never mixed currencies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

# ISO 4217 active codes. Minor-unit exponent is 2 unless listed in _EXPONENTS.
ISO_4217 = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN
    BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW
    KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN
    NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS
    SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND
    VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG""".split()
)
_EXPONENTS = {
    **dict.fromkeys("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(), 0),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
    "CLF": 4,
    "UYW": 4,
}


def minor_unit_exponent(currency: str) -> int:
    return _EXPONENTS.get(currency, 2)


def check_currency(value: str) -> str:
    if value not in ISO_4217:
        raise ValueError(f"{value!r} is not an ISO 4217 currency code")
    return value


class Money(BaseModel):
    """An amount in minor units (cents for EUR) and its currency."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    amount: int = Field(ge=0, description="Amount in minor units (e.g. cents), never a float.")
    currency: str = Field(description="ISO 4217 code, e.g. EUR.")

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return check_currency(value)

    def format(self) -> str:
        """Human form for e-mails: 50.00 EUR (templates localise further)."""
        exp = minor_unit_exponent(self.currency)
        if exp == 0:
            return f"{self.amount} {self.currency}"
        return f"{self.amount // 10**exp}.{self.amount % 10**exp:0{exp}d} {self.currency}"
