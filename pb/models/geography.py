"""Where things are: the borough, its wards, census figures and postcodes."""

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.extensions import db


class Borough(db.Model):
    __tablename__ = "boroughs"
    id: Mapped[int] = mapped_column(primary_key=True)
    ons_code: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    wards: Mapped[list["Ward"]] = relationship(back_populates="borough", order_by="Ward.name")


class Ward(db.Model):
    __tablename__ = "wards"
    id: Mapped[int] = mapped_column(primary_key=True)
    borough_id: Mapped[int] = mapped_column(ForeignKey("boroughs.id"))
    ons_code: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    councillor_seats: Mapped[int]
    centroid_lat: Mapped[float | None]
    centroid_long: Mapped[float | None]
    # GeoJSON geometry (WGS84 lon/lat) of the simplified 2022 boundary
    boundary: Mapped[str | None] = mapped_column(Text)
    electorate_2022: Mapped[int | None]
    turnout_ballots_2022: Mapped[int | None]

    borough: Mapped[Borough] = relationship(back_populates="wards")
    census: Mapped[list["CensusFigure"]] = relationship(back_populates="ward")

    __table_args__ = (CheckConstraint("councillor_seats > 0", name="seats_positive"),)


class CensusFigure(db.Model):
    """One published census count: ward (or the whole borough when ward is empty), topic, category."""

    __tablename__ = "census_figures"
    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int | None] = mapped_column(ForeignKey("wards.id"))
    topic: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(200))
    count: Mapped[int]
    # which people the table counts: usual_residents, residents_3_plus, households
    base_population: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)

    ward: Mapped[Ward | None] = relationship(back_populates="census")

    __table_args__ = (
        UniqueConstraint("ward_id", "topic", "category", name="uq_census_figure"),
        CheckConstraint("count >= 0", name="count_not_negative"),
        Index("ix_census_ward_topic", "ward_id", "topic"),
    )


class Postcode(db.Model):
    """ONS Postcode Directory allocation of a live postcode to a ward."""

    __tablename__ = "postcodes"
    postcode: Mapped[str] = mapped_column(String(8), primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"), index=True)
    ward: Mapped[Ward] = relationship()
