"""The fixed vocabularies of plan metadata, shared by the schema (:mod:`plansite.schema`) and
the plans (:mod:`plansite.plans`) without importing pydantic."""

#: administrative levels of a plan's region, with their Chinese names
LEVELS = {
    "province": "省级",      # 省、自治区、直辖市
    "prefecture": "地级",    # 地级市、自治州、盟
    "county": "县级",        # 县、县级市、旗
    "district": "市辖区",
    "zone": "功能区",        # 开发区、高新区、新区
    "town": "乡镇",          # 乡、镇、街道
}
#: kinds of plan documents
KINDS = {"outline": "规划纲要", "proposal": "建议"}
