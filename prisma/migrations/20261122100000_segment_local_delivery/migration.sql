-- Segments offered the delivery type "local" where scenario limits and stored orders say "local_delivery": a
-- "placed an order with delivery local" condition could never match. Conditions that picked "local" now pick
-- "local_delivery" (in any case, as segments compare delivery types). No order was ever stored as "local", so no
-- membership changes and nothing needs recomputing.
UPDATE "segments" s
SET "rules" = jsonb_set(s."rules", '{groups}', (
  SELECT jsonb_agg(
    CASE WHEN jsonb_typeof(g->'conditions') = 'array' THEN jsonb_set(g, '{conditions}', (
      SELECT coalesce(jsonb_agg(
        CASE WHEN jsonb_typeof(c->'deliveryTypes') = 'array' THEN jsonb_set(c, '{deliveryTypes}', (
          SELECT coalesce(jsonb_agg(DISTINCT_TYPES.d ORDER BY DISTINCT_TYPES.i), '[]'::jsonb)
          FROM (
            SELECT DISTINCT ON (mapped) mapped AS d, i
            FROM (
              SELECT CASE WHEN lower(t #>> '{}') = 'local' THEN to_jsonb('local_delivery'::text) ELSE t END AS mapped, i
              FROM jsonb_array_elements(c->'deliveryTypes') WITH ORDINALITY AS types(t, i)
            ) m
            ORDER BY mapped, i
          ) DISTINCT_TYPES
        ))
        ELSE c END
        ORDER BY ci), '[]'::jsonb)
      FROM jsonb_array_elements(g->'conditions') WITH ORDINALITY AS conditions(c, ci)
    ))
    ELSE g END
    ORDER BY gi)
  FROM jsonb_array_elements(s."rules"->'groups') WITH ORDINALITY AS groups(g, gi)
))
WHERE jsonb_typeof(s."rules"->'groups') = 'array'
  AND jsonb_path_exists(s."rules", '$.groups[*].conditions[*].deliveryTypes[*] ? (@ like_regex "^local$" flag "i")');
