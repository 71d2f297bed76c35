{%- for f in rtl %}
{{ f }}
{%- endfor %}
