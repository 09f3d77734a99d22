"""`langchain_core.prompts.few_shot_with_templates`'s import path (the class lives in `few_shot`)."""

from runwire.prompts.few_shot import FewShotPromptWithTemplates

__all__ = ["FewShotPromptWithTemplates"]
