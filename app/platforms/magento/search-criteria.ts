// Builds the bracketed `searchCriteria` query string Magento's search endpoints read
// (`searchCriteria[filter_groups][0][filters][0][field]=code`). Filters in one group are OR'ed, groups AND'ed.

export type ConditionType = "eq" | "neq" | "gt" | "gteq" | "lt" | "lteq" | "like" | "in" | "nin" | "null" | "notnull";

export interface SearchFilter {
  field: string;
  value: string | number;
  conditionType?: ConditionType;
}

export interface SearchCriteria {
  /** Each inner list is one filter group (OR inside, AND between groups). */
  filterGroups?: SearchFilter[][];
  sortOrders?: { field: string; direction: "ASC" | "DESC" }[];
  pageSize?: number;
  currentPage?: number;
}

export function searchCriteriaQuery(criteria: SearchCriteria): URLSearchParams {
  const params = new URLSearchParams();
  const set = (key: string, value: string | number) => params.append(`searchCriteria${key}`, String(value));
  (criteria.filterGroups ?? []).forEach((group, g) =>
    group.forEach((filter, f) => {
      const prefix = `[filter_groups][${g}][filters][${f}]`;
      set(`${prefix}[field]`, filter.field);
      set(`${prefix}[value]`, filter.value);
      set(`${prefix}[condition_type]`, filter.conditionType ?? "eq");
    }),
  );
  (criteria.sortOrders ?? []).forEach((order, i) => {
    set(`[sort_orders][${i}][field]`, order.field);
    set(`[sort_orders][${i}][direction]`, order.direction);
  });
  if (criteria.pageSize !== undefined) set("[page_size]", criteria.pageSize);
  if (criteria.currentPage !== undefined) set("[current_page]", criteria.currentPage);
  // Magento requires the parameter even when it is empty.
  if ([...params.keys()].length === 0) params.append("searchCriteria", "");
  return params;
}
